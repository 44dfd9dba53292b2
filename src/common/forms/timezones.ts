const zones = new Set<string>(['UTC', ...Intl.supportedValuesOf('timeZone')]);

export const TIME_ZONES: string[] = [...zones].sort();
export const isTimeZone = (tz: string) => zones.has(tz);
