// The knowledge base part of the HTTP API (/api/kb), with the shapes it returns.
// The routes and their rules are described in docs/KB.md.

import { request } from "../../api";

export interface Rights {
  read: boolean;
  comment: boolean;
  edit: boolean;
}

export interface Person {
  id: string;
  name: string;
}

export interface Section {
  id: string;
  name: string;
  name_en: string | null;
  parent_id: string | null;
  role: string;
  department_id: string | null;
  sort_order: number;
  rights: Rights;
  children?: Section[];
}

export interface PathItem {
  id: string;
  name: string;
  name_en: string | null;
}

export type ArticleStatus = "draft" | "published" | "needs_review";
export type ArticleKind = "regulation" | "instruction";

export interface ArticleHeader {
  id: string;
  title: string;
  title_en: string | null;
  kind: ArticleKind;
  status: ArticleStatus;
  section_id: string;
  revision: number;
  author: Person | null;
  created_at: string;
  updated_at: string;
  updated_by: Person | null;
  positions: { id: string; name: string | null }[];
  review_at: string | null;
  template_id: string | null;
  is_template: boolean;
  rights: Rights;
}

export interface Acknowledgement {
  required: boolean;
  read: boolean;
  read_at: string | null;
  confirmed: boolean;
  confirmed_at: string | null;
}

export interface Article extends ArticleHeader {
  section: { id: string; path: PathItem[] };
  body: string;
  /** The body rendered and sanitised by the server (nh3 with an allow-list). */
  html: string;
  acknowledgement: Acknowledgement;
  linked_from: { id: string; title: string }[];
}

export interface ReadersReport {
  edition: number | null;
  status: ArticleStatus;
  readers: {
    user: Person;
    position: { id: string | null; name: string | null };
    read: boolean;
    read_at: string | null;
    confirmed: boolean;
    confirmed_at: string | null;
  }[];
  total: number;
  read: number;
  confirmed: number;
}

export interface Revision {
  revision: number;
  title: string;
  status: ArticleStatus;
  size: number;
  significant: boolean;
  restored_from: number | null;
  saved_by: Person;
  saved_at: string;
}

export interface RevisionDiff {
  from: number;
  to: number;
  title: { from: string; to: string };
  diff: string;
  truncated: boolean;
  added: number;
  removed: number;
}

export interface ConflictCopy {
  id: string;
  base_revision: number;
  current_revision: number;
  title: string;
  size: number;
  created_at: string;
  body?: string;
}

export interface SearchResult extends ArticleHeader {
  score: number;
  snippet: string;
}

export interface SearchPage {
  query: string | null;
  terms: string[];
  total: number;
  results: SearchResult[];
}

export interface CourseItem {
  position: number;
  article_id: string;
  title: string | null;
  title_en: string | null;
  readable: boolean;
}

export interface Course {
  id: string;
  title: string;
  title_en: string | null;
  description: string | null;
  items: CourseItem[];
  position_ids: string[];
  mandatory: boolean;
  deadline_days: number | null;
  revision: number;
  can_edit: boolean;
  enrolled?: boolean;
  required?: boolean;
}

export interface Progress {
  completed: number;
  total: number;
  percent: number;
  complete: boolean;
}

export interface Enrolment {
  required: boolean;
  position_id: string | null;
  enrolled_at: string;
  required_since: string | null;
  released_at: string | null;
  due_at: string | null;
  overdue: boolean;
}

export type ItemState = "to_read" | "locked" | "to_answer" | "waiting_for_grading" | "done";
export type QuestionStatus = "unanswered" | "failed" | "pending" | "passed";

export interface LearnerQuestion {
  id: string;
  article_id: string;
  version: number;
  kind: "single" | "multiple" | "open";
  text: string;
  text_en: string | null;
  options: { id: string; text: string; text_en: string | null }[];
  status: QuestionStatus | string;
  attempts: number;
}

export interface LearnerItem {
  position: number;
  article_id: string;
  readable: boolean;
  title: string | null;
  title_en: string | null;
  state: ItemState;
  read_at: string | null;
  locked_until: string | null;
  questions: LearnerQuestion[];
}

export interface MyCourse {
  course: Course;
  enrolment: Enrolment;
  progress: Progress;
  next_item: { position: number; article_id: string } | null;
  items: LearnerItem[];
}

export interface Answer {
  id: string;
  result: string;
  question_id: string;
  question_version: number;
}

export interface WrongQuestion {
  question_id: string;
  article_id: string;
  /** Null when the viewer may not read the question's article. */
  text: string | null;
  text_en: string | null;
  wrong_attempts: number;
  status: QuestionStatus;
}

export interface ReportRow extends Enrolment {
  user: { id: string; name: string; position_id: string | null; active: boolean };
  progress: Progress;
  /** Passed current questions out of the course's current questions. */
  questions: { passed: number; total: number };
  /** Current questions answered wrongly at least once. */
  wrong_questions: WrongQuestion[];
}

export interface CourseReport {
  course_id: string;
  generated_at: string;
  scope: "all" | "reports";
  /** One row per visible learner, overdue people first. */
  people: ReportRow[];
}

export type QuestionKind = "single" | "multiple" | "open";

/** A question as its editors see it: with `correct` on the options. */
export interface EditableQuestion {
  id: string;
  article_id: string;
  version: number;
  kind: QuestionKind;
  text: string;
  text_en: string | null;
  options: { id: string; text: string; text_en: string | null; correct?: boolean }[];
  sort_order: number;
}

export interface QuestionBody {
  kind: QuestionKind;
  text: string;
  options: { text: string; correct: boolean }[];
  sort_order?: number;
}

export interface CourseFields {
  title: string;
  description: string | null;
  article_ids: string[];
  position_ids: string[];
  mandatory: boolean;
  deadline_days: number | null;
}

/** An open answer waiting for a grade, with the text of the version it answered. */
export interface PendingAnswer {
  id: string;
  course_id: string;
  learner_id: string;
  article_id: string;
  question_id: string;
  question_version: number;
  question_text: string | null;
  question_text_en: string | null;
  text: string | null;
  result: string;
  created_at: string;
}

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

const KB = "/api/kb";

export function fetchSections() {
  return request<{ sections: Section[] }>("GET", `${KB}/sections`);
}

export function fetchSection(sectionId: string) {
  return request<{ section: Section; path: PathItem[]; articles: ArticleHeader[] }>(
    "GET",
    `${KB}/sections/${encode(sectionId)}`,
  );
}

export function fetchTemplates() {
  return request<{ templates: ArticleHeader[] }>("GET", `${KB}/templates`);
}

export function fetchArticle(articleId: string) {
  return request<{ article: Article }>("GET", `${KB}/articles/${encode(articleId)}`);
}

export interface ArticleFields {
  title?: string;
  body?: string;
  status?: ArticleStatus;
  position_ids?: string[];
  review_at?: string | null;
}

export function createArticle(fields: ArticleFields & { section_id: string; title: string; template_id?: string }) {
  return request<{ article: Article }>("POST", `${KB}/articles`, { json: fields });
}

/** Saves a new revision on top of `base_revision`; a stale base gets 409 with field "base_revision". */
export function saveArticle(
  articleId: string,
  fields: ArticleFields & { base_revision: number; significant?: boolean },
) {
  return request<{ article: Article }>("PUT", `${KB}/articles/${encode(articleId)}`, { json: fields });
}

export function acknowledgeArticle(articleId: string) {
  return request<{ acknowledgement: Acknowledgement }>("POST", `${KB}/articles/${encode(articleId)}/acknowledge`);
}

export function fetchReaders(articleId: string) {
  return request<ReadersReport>("GET", `${KB}/articles/${encode(articleId)}/readers`);
}

export function fetchRevisions(articleId: string) {
  return request<{ revisions: Revision[]; next_before: number | null }>(
    "GET",
    `${KB}/articles/${encode(articleId)}/revisions?limit=200`,
  );
}

export function fetchDiff(articleId: string, from: number, to: number) {
  const query = new URLSearchParams({ from: String(from), to: String(to) });
  return request<RevisionDiff>("GET", `${KB}/articles/${encode(articleId)}/diff?${query}`);
}

export function restoreRevision(articleId: string, revision: number, baseRevision: number) {
  return request<{ article: Article }>(
    "POST",
    `${KB}/articles/${encode(articleId)}/revisions/${revision}/restore`,
    { json: { base_revision: baseRevision } },
  );
}

export function fetchConflicts(articleId: string) {
  return request<{ conflicts: ConflictCopy[] }>("GET", `${KB}/articles/${encode(articleId)}/conflicts`);
}

export function deleteConflict(articleId: string, conflictId: string) {
  return request<void>("DELETE", `${KB}/articles/${encode(articleId)}/conflicts/${encode(conflictId)}`);
}

export function searchArticles(query: string) {
  const params = new URLSearchParams({ q: query, limit: "50" });
  return request<SearchPage>("GET", `${KB}/search?${params}`);
}

export function fetchCourses() {
  return request<{ courses: Course[] }>("GET", `${KB}/courses`);
}

export function fetchMyCourse(courseId: string) {
  return request<MyCourse>("GET", `${KB}/courses/${encode(courseId)}/me`);
}

export function markCourseArticleRead(courseId: string, articleId: string) {
  return request<MyCourse>("POST", `${KB}/courses/${encode(courseId)}/articles/${encode(articleId)}/read`);
}

export function answerQuestion(courseId: string, questionId: string, answer: { version: number; option_ids?: string[]; text?: string }) {
  return request<{ answer: Answer; locked_until: string | null }>(
    "POST",
    `${KB}/courses/${encode(courseId)}/questions/${encode(questionId)}/answer`,
    { json: answer },
  );
}

export function fetchCourseReport(courseId: string) {
  return request<{ report: CourseReport }>("GET", `${KB}/courses/${encode(courseId)}/report`);
}

export function createSection(fields: { name: string; name_en?: string; parent_id?: string }) {
  return request<{ section: Section }>("POST", `${KB}/sections`, { json: fields });
}

export function fetchQuestions(articleId: string) {
  return request<{ questions: EditableQuestion[] }>("GET", `${KB}/articles/${encode(articleId)}/questions`);
}

export function createQuestion(articleId: string, body: QuestionBody) {
  return request<{ question: EditableQuestion }>("POST", `${KB}/articles/${encode(articleId)}/questions`, { json: body });
}

export function updateQuestion(questionId: string, body: Partial<QuestionBody>) {
  return request<{ question: EditableQuestion }>("PATCH", `${KB}/questions/${encode(questionId)}`, { json: body });
}

export function deleteQuestion(questionId: string) {
  return request<void>("DELETE", `${KB}/questions/${encode(questionId)}`);
}

export function fetchCourse(courseId: string) {
  return request<{ course: Course }>("GET", `${KB}/courses/${encode(courseId)}`);
}

export function createCourse(fields: CourseFields) {
  return request<{ course: Course }>("POST", `${KB}/courses`, { json: fields });
}

export function updateCourse(courseId: string, fields: CourseFields) {
  return request<{ course: Course }>("PATCH", `${KB}/courses/${encode(courseId)}`, { json: fields });
}

export function fetchPendingAnswers() {
  return request<{ answers: PendingAnswer[] }>("GET", `${KB}/answers`);
}

export function gradeAnswer(answerId: string, passed: boolean, comment: string | null) {
  return request<{ answer: PendingAnswer }>("POST", `${KB}/answers/${encode(answerId)}/grade`, {
    json: comment ? { passed, comment } : { passed },
  });
}
