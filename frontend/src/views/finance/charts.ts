// Bar charts drawn as inline SVG. Bar lengths use Number(), which is exact
// enough for pixels; every amount shown as text stays a decimal string.

import { t } from "../../i18n";
import { formatMoney, toMinor } from "./financeCommon";

const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

type SvgAttributes = Record<string, string | number>;

function svg<Tag extends keyof SVGElementTagNameMap>(
  tag: Tag,
  attributes: SvgAttributes = {},
  children: (SVGElement | string)[] = [],
): SVGElementTagNameMap[Tag] {
  const node = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

/** A series of a chart: its legend label and its CSS class, which sets the colour. */
export interface ChartSeries {
  label: string;
  className: string;
}

export interface ChartGroup {
  label: string;
  /** One decimal amount per series, in the chart's currency. */
  values: string[];
  /** An optional limit, drawn as a tick across the group's bars. */
  limit?: string | null;
}

function magnitude(amount: string): number {
  return Math.max(0, Number(toMinor(amount)));
}

function legend(series: ChartSeries[], x: number, y: number): SVGElement {
  return svg(
    "g",
    { class: "chart-legend" },
    series.flatMap((item, index) => [
      svg("rect", { x: x + index * 130, y: y - 9, width: 10, height: 10, class: item.className }),
      svg("text", { x: x + index * 130 + 14, y }, [item.label]),
    ]),
  );
}

/** Draws horizontal bars, one group of bars per row, such as amounts per category. */
export function horizontalBarChart(
  groups: ChartGroup[],
  series: ChartSeries[],
  currency: string,
  testId: string,
): SVGSVGElement {
  const labelWidth = 220;
  const barArea = 420;
  const barHeight = 12;
  const rowHeight = series.length * barHeight + 14;
  const top = 24;
  const width = labelWidth + barArea + 20;
  const height = top + groups.length * rowHeight + 8;
  const maximum = Math.max(
    1,
    ...groups.flatMap((group) => [...group.values.map(magnitude), group.limit ? magnitude(group.limit) : 0]),
  );
  const scale = (amount: string) => (magnitude(amount) / maximum) * barArea;

  const rows = groups.map((group, groupIndex) => {
    const y = top + groupIndex * rowHeight;
    const bars = group.values.map((value, seriesIndex) =>
      svg(
        "rect",
        {
          x: labelWidth,
          y: y + seriesIndex * barHeight,
          width: Math.max(scale(value), magnitude(value) > 0 ? 1 : 0),
          height: barHeight - 2,
          class: series[seriesIndex].className,
        },
        [svg("title", {}, [`${group.label}: ${series[seriesIndex].label} ${formatMoney(value, currency)}`])],
      ),
    );
    const limitTick = group.limit
      ? [
          svg("line", {
            x1: labelWidth + scale(group.limit),
            x2: labelWidth + scale(group.limit),
            y1: y - 2,
            y2: y + series.length * barHeight,
            class: "chart-limit",
          }, [svg("title", {}, [t("financeLimitValue", { limit: formatMoney(group.limit, currency) })])]),
        ]
      : [];
    return svg("g", { class: "chart-row" }, [
      svg("text", { x: labelWidth - 8, y: y + (series.length * barHeight) / 2 + 4, "text-anchor": "end" }, [group.label]),
      ...bars,
      ...limitTick,
    ]);
  });

  return svg(
    "svg",
    {
      class: "finance-chart",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "data-testid": testId,
      "aria-label": series.map((item) => item.label).join(", "),
    },
    [legend(series, labelWidth, 12), ...rows],
  );
}

/** Draws vertical bars, one group of bars per column, such as totals per month. */
export function columnChart(groups: ChartGroup[], series: ChartSeries[], currency: string, testId: string): SVGSVGElement {
  const left = 10;
  const top = 28;
  const plotHeight = 180;
  const barWidth = 16;
  const groupWidth = series.length * barWidth + 24;
  const width = left + groups.length * groupWidth + 10;
  const height = top + plotHeight + 24;
  const maximum = Math.max(1, ...groups.flatMap((group) => group.values.map(magnitude)));

  const columns = groups.map((group, groupIndex) => {
    const x = left + groupIndex * groupWidth + 12;
    const bars = group.values.map((value, seriesIndex) => {
      const barHeight = (magnitude(value) / maximum) * plotHeight;
      return svg(
        "rect",
        {
          x: x + seriesIndex * barWidth,
          y: top + plotHeight - barHeight,
          width: barWidth - 2,
          height: Math.max(barHeight, magnitude(value) > 0 ? 1 : 0),
          class: series[seriesIndex].className,
        },
        [svg("title", {}, [`${group.label}: ${series[seriesIndex].label} ${formatMoney(value, currency)}`])],
      );
    });
    return svg("g", { class: "chart-column" }, [
      ...bars,
      svg("text", { x: x + (series.length * barWidth) / 2, y: top + plotHeight + 16, "text-anchor": "middle" }, [group.label]),
    ]);
  });

  return svg(
    "svg",
    {
      class: "finance-chart",
      viewBox: `0 0 ${Math.max(width, 400)} ${height}`,
      width: Math.max(width, 400),
      height,
      role: "img",
      "data-testid": testId,
      "aria-label": series.map((item) => item.label).join(", "),
    },
    [
      legend(series, left, 12),
      svg("line", { x1: left, x2: width - 10, y1: top + plotHeight, y2: top + plotHeight, class: "chart-axis" }),
      ...columns,
    ],
  );
}
