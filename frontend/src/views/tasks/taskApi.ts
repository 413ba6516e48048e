// HTTP calls and JSON shapes of the task tracker: tasks, checklists, history,
// recurring series, import, process launches and weekly plans.

import { request } from "../../api";
import type { TaskStatus } from "../../types";

export type TaskPriority = "low" | "normal" | "high" | "urgent";
export type TaskListName = "mine" | "created" | "watching" | "department" | "overdue";

export interface Due {
  kind: "date" | "datetime";
  date: string;
  at?: string;
  local?: string;
}

export interface ChecklistItem {
  id: string;
  text: string;
  done: boolean;
  assignee_id: string | null;
  due: Due | null;
  done_at: string | null;
}

export interface TaskSummary {
  id: string;
  title: string;
  status: TaskStatus;
}

export interface TaskRecord {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  priority: TaskPriority;
  creator_id: string;
  assignee_id: string;
  co_assignee_ids: string[];
  watcher_ids: string[];
  tags: string[];
  department_id: string | null;
  parent_id: string | null;
  subtask_ids: string[];
  blocked_by_ids: string[];
  requires_review: boolean;
  reviewer_id: string | null;
  due_date: string | null;
  due: Due | null;
  is_overdue: boolean;
  checklist: ChecklistItem[];
  checklist_progress: { done: number; total: number };
  version: number;
  created_at: string;
  updated_at: string;
  done_at: string | null;
  series: { id: string; occurrence_date: string; fallback: unknown } | null;
  subtasks?: TaskSummary[];
  /** Names of the import placeholders among the task's people, by id. */
  placeholders?: Record<string, string>;
}

export interface TaskCommentRecord {
  id: string;
  author_id: string;
  author_name: string;
  text: string;
  mentions: string[];
  kind: string;
  created_at: string;
  /** Set when the comment was written as a reply in the task's chat thread. */
  source_message_id?: string | null;
  edited_at?: string | null;
  deleted_at?: string | null;
}

/** The task's chat channel and the root message of its discussion thread. */
export interface TaskThread {
  channel_id: string;
  thread_id: string;
}

export interface HistoryRow {
  version: number;
  action: string;
  actor_id: string;
  actor_name: string;
  at: string;
  field: string;
  from: unknown;
  to: unknown;
}

export interface TaskPage {
  tasks: TaskRecord[];
  next_cursor: string | null;
}

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

// --- Tasks ---

export async function listTaskView(
  view: TaskListName,
  options: { statuses: TaskStatus[]; sort: "created" | "due"; cursor: string | null; limit?: number },
) {
  const query = new URLSearchParams({ view, sort: options.sort, limit: String(options.limit ?? 50) });
  if (options.statuses.length) query.set("status", options.statuses.join(","));
  if (options.cursor) query.set("cursor", options.cursor);
  const page = await request<TaskPage>("GET", `/api/tasks?${query}`);
  page.tasks.forEach((task) => rememberPlaceholders(task.placeholders));
  return page;
}

export interface TaskFields {
  title?: string;
  description?: string | null;
  assignee_id?: string;
  priority?: TaskPriority;
  tags?: string[];
  due?: string | null;
  parent_id?: string | null;
  blocked_by_ids?: string[];
  requires_review?: boolean;
  reviewer_id?: string | null;
  co_assignee_ids?: string[];
  watcher_ids?: string[];
}

export function createTaskRecord(fields: TaskFields & { title: string; assignee_id: string }) {
  return request<{ task: TaskRecord }>("POST", "/api/tasks", { json: fields });
}

export async function fetchTaskRecord(taskId: string) {
  const record = await request<{
    task: TaskRecord;
    comments: TaskCommentRecord[];
    comments_next_cursor: string | null;
    thread?: TaskThread | null;
  }>(
    "GET",
    `/api/tasks/${encode(taskId)}`,
  );
  rememberPlaceholders(record.task.placeholders);
  return record;
}

/** Changes a task; `scope` "future" also changes its series and later open occurrences. */
export function patchTask(
  taskId: string,
  changes: TaskFields & { status?: TaskStatus; comment?: string },
  scope: "this" | "future" = "this",
) {
  const suffix = scope === "future" ? "?scope=future" : "";
  return request<{ task: TaskRecord }>("PATCH", `/api/tasks/${encode(taskId)}${suffix}`, { json: changes });
}

export function postTaskComment(taskId: string, text: string, mentions: string[]) {
  return request<{ comment: TaskCommentRecord }>("POST", `/api/tasks/${encode(taskId)}/comments`, {
    json: { text, mentions },
  });
}

export function fetchTaskHistory(taskId: string, cursor: string | null) {
  const query = new URLSearchParams({ limit: "100" });
  if (cursor) query.set("cursor", cursor);
  return request<{ entries: HistoryRow[]; next_cursor: string | null }>(
    "GET",
    `/api/tasks/${encode(taskId)}/history?${query}`,
  );
}

// --- Checklist ---

export function addChecklistItem(taskId: string, item: { text: string; assignee_id?: string; due?: string }) {
  return request<{ item: ChecklistItem; task: TaskRecord }>("POST", `/api/tasks/${encode(taskId)}/checklist`, {
    json: item,
  });
}

export function updateChecklistItem(
  taskId: string,
  itemId: string,
  changes: { done?: boolean; assignee_id?: string | null; due?: string | null },
) {
  return request<{ item: ChecklistItem; task: TaskRecord }>(
    "PATCH",
    `/api/tasks/${encode(taskId)}/checklist/${encode(itemId)}`,
    { json: changes },
  );
}

export function deleteChecklistItem(taskId: string, itemId: string) {
  return request<{ task: TaskRecord }>("DELETE", `/api/tasks/${encode(taskId)}/checklist/${encode(itemId)}`);
}

export function convertChecklistItem(taskId: string, itemId: string) {
  return request<{ subtask: TaskRecord; task: TaskRecord }>(
    "POST",
    `/api/tasks/${encode(taskId)}/checklist/${encode(itemId)}/subtask`,
  );
}

// --- Recurring series ---

export interface SeriesRule {
  frequency: "daily" | "workdays" | "weekly" | "monthly";
  start: string;
  interval?: number;
  weekdays?: number[];
  day_of_month?: number | null;
  until?: string | null;
  count?: number | null;
}

export interface SeriesFields {
  title: string;
  description?: string;
  assignee_id?: string;
  position_id?: string;
  priority?: TaskPriority;
  due_time?: string;
  checklist?: string[];
  rule: SeriesRule;
}

export interface SeriesRecord {
  id: string;
  title: string;
  status: string;
  current_task_id: string | null;
  created_count: number;
  rule: SeriesRule;
}

export function createSeries(fields: SeriesFields) {
  return request<{ series: SeriesRecord; task: TaskRecord }>("POST", "/api/tasks/series", { json: fields });
}

export function listSeries() {
  return request<{ series: SeriesRecord[] }>("GET", "/api/tasks/series");
}

export function stopSeries(seriesId: string) {
  return request<{ series: SeriesRecord }>("POST", `/api/tasks/series/${encode(seriesId)}/stop`);
}

// --- Import ---

export interface ImportReport {
  created: number;
  task_ids: string[];
  skipped: { row: number | string; reason: string }[];
  warnings: { row: number | string; reason: string }[];
}

export function importTaskFile(file: File, format: "trello" | "csv") {
  return request<ImportReport>("POST", `/api/tasks/import?${new URLSearchParams({ format })}`, {
    rawBody: file,
    contentType: "application/octet-stream",
  });
}

export type ImportFormat = "trello" | "csv";

/** The request's changes to the proposed mapping; each is sent as a JSON query parameter. */
export interface ImportMapping {
  columns: Record<string, string | null>;
  statuses: Record<string, string>;
  people: Record<string, string>;
}

export interface PreviewPerson {
  id: string;
  name: string;
  placeholder: boolean;
}

export interface ImportPreview {
  shape: string;
  source: string;
  fields: string[];
  statuses_allowed: TaskStatus[];
  columns: { name: string; field: string | null; proposed: string | null; samples: string[] }[];
  mapping: Record<string, string | null>;
  statuses: { name: string; status: TaskStatus; rows: number }[];
  people: {
    key: string;
    name: string;
    email: string | null;
    action: "user" | "placeholder" | "none";
    user_id: string | null;
    user_name: string | null;
    matched_by: string | null;
    placeholder_id: string | null;
    rows: number;
  }[];
  rows: number;
  skipped: { row: string; reason: string }[];
  samples: {
    row: string;
    title: string;
    status: TaskStatus;
    responsible: PreviewPerson;
    co_assignees: PreviewPerson[];
    due: string | null;
    tags: string[];
  }[];
}

export interface TaskImportReport extends ImportReport {
  already_saved: number;
  placeholders: { id: string; name: string }[];
}

export interface ImportJob {
  id: string;
  kind: string;
  status: "queued" | "running" | "done" | "failed";
  progress: { done: number; total: number };
  report: TaskImportReport | null;
  error: string | null;
}

export interface ImportPlaceholder {
  id: string;
  name: string;
  email: string | null;
  source: string;
  mapped_to: string | null;
  task_count: number;
}

function importQuery(format: ImportFormat | null, mapping: ImportMapping | null): URLSearchParams {
  const query = new URLSearchParams();
  if (format) query.set("format", format);
  if (mapping) {
    query.set("columns", JSON.stringify(mapping.columns));
    query.set("statuses", JSON.stringify(mapping.statuses));
    query.set("people", JSON.stringify(mapping.people));
  }
  return query;
}

export function previewTaskImport(file: File, format: ImportFormat, mapping: ImportMapping | null) {
  return request<ImportPreview>("POST", `/api/tasks/import/preview?${importQuery(format, mapping)}`, {
    rawBody: file,
    contentType: "application/octet-stream",
  });
}

export function startTaskImport(file: File, format: ImportFormat, mapping: ImportMapping) {
  return request<ImportJob>("POST", `/api/tasks/import/${format}?${importQuery(null, mapping)}`, {
    rawBody: file,
    contentType: "application/octet-stream",
  });
}

export function fetchImportJob(jobId: string) {
  return request<ImportJob>("GET", `/api/imports/${encode(jobId)}`);
}

export function listImportPlaceholders() {
  return request<{ placeholders: ImportPlaceholder[] }>("GET", "/api/tasks/import/placeholders");
}

export function mapImportPlaceholder(placeholderId: string, userId: string) {
  return request<ImportPlaceholder & { changed_tasks: number }>(
    "POST",
    `/api/tasks/import/placeholders/${encode(placeholderId)}/map`,
    { json: { user_id: userId } },
  );
}

// Placeholder names seen in loaded tasks, so that any view can name them.
const placeholderNames = new Map<string, string>();

export function rememberPlaceholders(names: Record<string, string> | undefined): void {
  for (const [id, name] of Object.entries(names ?? {})) placeholderNames.set(id, name);
}

export function placeholderName(id: string): string | undefined {
  return placeholderNames.get(id);
}

// --- Process launches ---

export interface LocalizedText {
  ru: string;
  en?: string | null;
}

export interface TemplateStep {
  key: string;
  title: LocalizedText;
  vacant: boolean;
  position: { id: string; name: string; name_en: string | null; department_name: string | null } | null;
  position_ref: string;
  holders: { id: string; name: string }[];
}

export interface ProcessTemplate {
  id: string;
  name: LocalizedText;
  step_count: number;
  steps?: TemplateStep[];
  vacant_steps?: string[];
}

export interface LaunchRow {
  step: string;
  task_id: string;
  title: string;
  status: TaskStatus | "missing";
  assignee_id: string | null;
  department_id: string | null;
  due_date: string | null;
  blocked: boolean;
  waiting_for: string[];
  late: boolean;
  critical: boolean;
  slack_days: number;
}

export interface LaunchCounts {
  done: number;
  total: number;
  late: number;
  blocked: number;
  in_progress: number;
}

export interface LaunchRecord {
  id: string;
  name: string;
  product: string | null;
  target_date: string;
  target_date_passed: boolean;
  tasks: LaunchRow[];
  progress: LaunchCounts;
  departments: (LaunchCounts & { department_id: string | null; name: string | null })[];
  critical_path: { steps: string[]; remaining_days: number; earliest_finish: string };
}

export function listProcessTemplates() {
  return request<{ templates: ProcessTemplate[] }>("GET", "/api/process-templates");
}

export function fetchProcessTemplate(templateId: string) {
  return request<{ template: ProcessTemplate }>("GET", `/api/process-templates/${encode(templateId)}`);
}

export interface LaunchFields {
  name: string;
  product?: string;
  target_date: string;
  allow_vacant?: boolean;
  assign_vacant_to?: string;
  idempotency_key?: string;
}

export function launchTemplate(templateId: string, fields: LaunchFields) {
  return request<{ launch: LaunchRecord; created: boolean }>(
    "POST",
    `/api/process-templates/${encode(templateId)}/launch`,
    { json: fields },
  );
}

export function fetchLaunch(launchId: string) {
  return request<{ launch: LaunchRecord }>("GET", `/api/launches/${encode(launchId)}`);
}

// --- Weeks ---

export interface PlannedTask {
  task_id: string;
  state: string;
  late: boolean;
  rollovers: number;
  hidden?: boolean;
  title?: string;
  status?: TaskStatus;
  due?: Due | null;
}

export interface WeekPlan {
  user_id: string;
  iso_week: string;
  version: number;
  closed_at: string | null;
  closed_into: string | null;
  tasks: PlannedTask[];
}

export function fetchWeekPlan(isoWeek: string) {
  return request<{ plan: WeekPlan }>("GET", `/api/weeks/${encode(isoWeek)}/plan`);
}

export function saveWeekPlan(isoWeek: string, taskIds: string[], version: number) {
  return request<{ plan: WeekPlan }>("PUT", `/api/weeks/${encode(isoWeek)}/plan`, {
    json: { task_ids: taskIds, version },
  });
}

/** Rolls the week's unfinished tasks into the next week: the caller's, or a whole department's. */
export function closeWeek(isoWeek: string, scope: { department_id?: string } = {}) {
  return request<{ iso_week: string; next_week: string }>("POST", `/api/weeks/${encode(isoWeek)}/close`, {
    json: scope,
  });
}

export interface ReviewPerson {
  user_id: string;
  name: string;
  department: string | null;
  planned: number;
  done: number;
  not_done: number;
  late: number;
  rolled_over: number;
  rollovers: number;
}

export function fetchWeekReview(isoWeek: string, departmentId: string | null) {
  const query = new URLSearchParams();
  if (departmentId) query.set("department_id", departmentId);
  return request<{ people: ReviewPerson[] }>("GET", `/api/weeks/${encode(isoWeek)}/review?${query}`);
}

export interface WeekNotes {
  text: string;
  version: number;
}

export function fetchWeekNotes(isoWeek: string, departmentId: string) {
  return request<{ notes: WeekNotes }>(
    "GET",
    `/api/weeks/${encode(isoWeek)}/notes?${new URLSearchParams({ department_id: departmentId })}`,
  );
}

export function saveWeekNotes(isoWeek: string, departmentId: string, text: string, version: number) {
  return request<{ notes: WeekNotes }>(
    "PUT",
    `/api/weeks/${encode(isoWeek)}/notes?${new URLSearchParams({ department_id: departmentId })}`,
    { json: { text, version } },
  );
}
