// Charts of the course report drawn as inline SVG: how many people completed
// the course, are in progress, have not started or are overdue; each person's
// progress; and how many people fall in each band of passed questions. The
// finance charts format every value as money, so these count people instead.
// Every bar carries its number in a data attribute and as text.

import type { ReportRow } from "./kbApi";
import { kt, type KbTextKey } from "./kbTexts";

const SVG_NAMESPACE = "http://www.w3.org/2000/svg";

function svg<Tag extends keyof SVGElementTagNameMap>(
  tag: Tag,
  attributes: Record<string, string | number> = {},
  children: (SVGElement | string)[] = [],
): SVGElementTagNameMap[Tag] {
  const node = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

export type ReportStatus = "completed" | "in_progress" | "not_started" | "overdue";

const STATUS_ORDER: ReportStatus[] = ["completed", "in_progress", "not_started", "overdue"];
const STATUS_LABELS: Record<ReportStatus, KbTextKey> = {
  completed: "chartCompleted",
  in_progress: "chartInProgress",
  not_started: "chartNotStarted",
  overdue: "chartOverdue",
};

/**
 * Puts a person in one group: overdue wins over the progress-based ones, and
 * anyone who has passed or failed a question has started.
 */
export function reportStatus(row: ReportRow): ReportStatus {
  if (row.progress.complete) return "completed";
  if (row.overdue) return "overdue";
  const started = row.progress.completed > 0 || row.questions.passed > 0 || row.wrong_questions.length > 0;
  return started ? "in_progress" : "not_started";
}

/** Returns the share of passed questions in percent, or null for a course without questions. */
export function questionScore(row: ReportRow): number | null {
  if (!row.questions.total) return null;
  return Math.floor((row.questions.passed * 100) / row.questions.total);
}

// Bands of the score distribution, by the lowest score in each.
const SCORE_BANDS = [
  { from: 0, to: 24 },
  { from: 25, to: 49 },
  { from: 50, to: 74 },
  { from: 75, to: 99 },
  { from: 100, to: 100 },
];

/** Draws one bar split into the four groups, with a legend giving each count. */
export function statusSummaryChart(rows: ReportRow[]): SVGSVGElement {
  const counts = new Map<ReportStatus, number>(STATUS_ORDER.map((status) => [status, 0]));
  for (const row of rows) counts.set(reportStatus(row), (counts.get(reportStatus(row)) ?? 0) + 1);
  const width = 560;
  const barWidth = width - 20;
  const total = Math.max(rows.length, 1);
  let x = 10;
  const segments = STATUS_ORDER.map((status) => {
    const count = counts.get(status) ?? 0;
    const segmentWidth = (count / total) * barWidth;
    const segment = svg(
      "rect",
      {
        x,
        y: 10,
        width: segmentWidth,
        height: 26,
        class: `kb-chart-${status}`,
        "data-testid": "kb-chart-segment",
        "data-status": status,
        "data-count": count,
      },
      [svg("title", {}, [`${kt(STATUS_LABELS[status])}: ${count}`])],
    );
    x += segmentWidth;
    return segment;
  });
  const legend = STATUS_ORDER.map((status, index) =>
    svg("g", { "data-testid": "kb-chart-legend", "data-status": status }, [
      svg("rect", { x: 10 + index * 140, y: 48, width: 10, height: 10, class: `kb-chart-${status}` }),
      svg("text", { x: 24 + index * 140, y: 57 }, [`${kt(STATUS_LABELS[status])}: ${counts.get(status) ?? 0}`]),
    ]),
  );
  return svg(
    "svg",
    {
      class: "kb-chart",
      viewBox: `0 0 ${width} 66`,
      width,
      height: 66,
      role: "img",
      "data-testid": "kb-chart-summary",
      "aria-label": STATUS_ORDER.map((status) => `${kt(STATUS_LABELS[status])}: ${counts.get(status) ?? 0}`).join(", "),
    },
    [...segments, ...legend],
  );
}

/** Draws one horizontal bar per person, from 0 to 100%. */
export function peopleProgressChart(rows: ReportRow[]): SVGSVGElement {
  const labelWidth = 180;
  const barArea = 320;
  const rowHeight = 22;
  const width = labelWidth + barArea + 60;
  const height = rows.length * rowHeight + 8;
  const bars = rows.map((row, index) => {
    const y = 4 + index * rowHeight;
    const status = reportStatus(row);
    return svg(
      "g",
      {
        "data-testid": "kb-chart-person",
        "data-user-id": row.user.id,
        "data-percent": row.progress.percent,
        "data-status": status,
      },
      [
        svg("text", { x: labelWidth - 8, y: y + 13, "text-anchor": "end" }, [row.user.name]),
        svg("rect", { x: labelWidth, y, width: barArea, height: rowHeight - 6, class: "kb-chart-track" }),
        svg("rect", {
          x: labelWidth,
          y,
          width: (row.progress.percent / 100) * barArea,
          height: rowHeight - 6,
          class: `kb-chart-${status}`,
        }),
        svg("text", { x: labelWidth + barArea + 6, y: y + 13 }, [`${row.progress.percent}%`]),
      ],
    );
  });
  return svg(
    "svg",
    {
      class: "kb-chart",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "data-testid": "kb-chart-people",
      "aria-label": kt("chartPeopleTitle"),
    },
    bars,
  );
}

/** Draws one column per band of passed questions, counting the people in it. */
export function scoreDistributionChart(rows: ReportRow[]): SVGSVGElement {
  const scores = rows.map(questionScore).filter((score): score is number => score !== null);
  const counts = SCORE_BANDS.map((band) => scores.filter((score) => score >= band.from && score <= band.to).length);
  const maximum = Math.max(1, ...counts);
  const plotHeight = 120;
  const columnWidth = 90;
  const top = 20;
  const width = SCORE_BANDS.length * columnWidth + 20;
  const height = top + plotHeight + 24;
  const columns = SCORE_BANDS.map((band, index) => {
    const x = 10 + index * columnWidth;
    const columnHeight = (counts[index] / maximum) * plotHeight;
    const label = band.from === band.to ? `${band.from}%` : `${band.from}–${band.to}%`;
    return svg("g", { "data-testid": "kb-chart-band", "data-band": label, "data-count": counts[index] }, [
      svg("rect", {
        x: x + 15,
        y: top + plotHeight - columnHeight,
        width: columnWidth - 30,
        height: columnHeight,
        class: "kb-chart-score",
      }),
      svg("text", { x: x + columnWidth / 2, y: top + plotHeight - columnHeight - 4, "text-anchor": "middle" }, [
        String(counts[index]),
      ]),
      svg("text", { x: x + columnWidth / 2, y: top + plotHeight + 16, "text-anchor": "middle" }, [label]),
    ]);
  });
  return svg(
    "svg",
    {
      class: "kb-chart",
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: "img",
      "data-testid": "kb-chart-scores",
      "aria-label": kt("chartScoresTitle"),
    },
    [svg("line", { x1: 10, x2: width - 10, y1: top + plotHeight, y2: top + plotHeight, class: "kb-chart-axis" }), ...columns],
  );
}
