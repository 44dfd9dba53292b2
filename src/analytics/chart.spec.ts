import { niceScale, renderChart } from './chart';

describe('analytics chart', () => {
  it('picks round scales', () => {
    expect(niceScale(0)).toEqual({ top: 4, step: 1 });
    expect(niceScale(7)).toEqual({ top: 8, step: 2 });
    expect(niceScale(93)).toEqual({ top: 100, step: 25 });
  });

  it('draws one bar per day with views and a labelled line for visitors', () => {
    const svg = renderChart(
      [
        { day: '2025-11-01', views: 3, visitors: 2 },
        { day: '2025-11-02', views: 0, visitors: 0 },
        { day: '2025-11-03', views: 10, visitors: 4 },
      ],
      'Views per day <test>',
    );
    expect(svg.match(/class="chart-bar"/g)).toHaveLength(2);
    expect(svg).toContain('<title>Nov 3: 10 views, 4 visitors</title>');
    expect(svg).toContain('Views per day &lt;test&gt;');
    expect(svg).toContain('<polyline class="chart-line"');
    expect(svg).not.toContain('style=');
  });
});
