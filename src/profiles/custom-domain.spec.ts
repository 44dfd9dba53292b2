import { hostnameFromHeader, isCustomDomainCandidate, normalizeDomain } from './custom-domain';

describe('custom domains', () => {
  it('normalises what people type into a lower-case ASCII host name', () => {
    expect(normalizeDomain('Ada.Dev')).toBe('ada.dev');
    expect(normalizeDomain('https://me.example.com/some/path?x=1')).toBe('me.example.com');
    expect(normalizeDomain('example.com.')).toBe('example.com');
    expect(normalizeDomain('bücher.example')).toBe('xn--bcher-kva.example');
    for (const bad of ['localhost', '127.0.0.1', '[::1]', 'a', 'not a domain', 'dev.localhost', '-bad-.com']) expect(normalizeDomain(bad)).toBeNull();
  });

  it('reads the Host header case-insensitively without its port', () => {
    expect(hostnameFromHeader('ADA.dev:8443')).toBe('ada.dev');
    expect(hostnameFromHeader('ada.dev.')).toBe('ada.dev');
    expect(hostnameFromHeader('[::1]:3000')).toBe('[::1]');
  });

  it('treats only foreign names as custom domains', () => {
    expect(isCustomDomainCandidate('ada.dev', 'devhub.example')).toBe(true);
    for (const own of ['devhub.example', '127.0.0.1', '[::1]', 'localhost', 'app.localhost', 'devhub', '']) expect(isCustomDomainCandidate(own, 'devhub.example')).toBe(false);
  });
});
