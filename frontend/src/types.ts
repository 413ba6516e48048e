// JSON shapes of the Shtab HTTP and WebSocket API, as the backend returns them.

export type Role = "owner" | "admin" | "manager" | "employee";
export type Locale = "ru" | "en";

export interface User {
  id: string;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  status: string;
  position_id: string | null;
  department_id: string | null;
}

export interface LocalizedText {
  ru: string;
  en: string;
}

export interface OrgTemplate {
  key: string;
  name: LocalizedText;
  description: LocalizedText;
  departments: number;
  positions: number;
  applied: boolean;
}

export interface PositionHolder {
  id: string;
  name: string;
}

export interface Position {
  id: string;
  department_id: string;
  name: string;
  name_en: string | null;
  purpose: string | null;
  purpose_en: string | null;
  functions: string[];
  functions_en: string[];
  reports_to: string | null;
}

export interface ChartPosition extends Position {
  holders: PositionHolder[];
}

export interface ChartDepartment {
  id: string;
  name: string;
  name_en: string | null;
  purpose: string | null;
  parent_id: string | null;
  positions: ChartPosition[];
  children: ChartDepartment[];
}

export type ChannelKind =
  | "general"
  | "department"
  | "custom"
  | "notifications"
  | "direct"
  | "group"
  | "finance"
  | "task";

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  description: string | null;
  department_id: string | null;
  archived: boolean;
  created_at: string;
  visibility?: "public" | "private";
  owner_ids?: string[];
  member_count?: number;
}

export type MessageKind = "user" | "system" | "notification" | "imported";

export interface Message {
  id: string;
  channel_id: string;
  thread_id: string | null;
  sender_id: string | null;
  sender_name: string | null;
  kind: MessageKind;
  text: string;
  link: string | null;
  attachments: string[];
  /** Files uploaded with the message; absent in messages from older servers. */
  files?: ChatFile[];
  reply_count: number;
  reply_user_ids: string[];
  last_reply_at: string | null;
  created_at: string;
  edited_at: string | null;
  deleted_at?: string | null;
  reactions?: Reaction[];
  pinned?: boolean;
  mentioned_user_ids?: string[];
  seq?: number | null;
  channel_seq?: number | null;
  also_in_channel?: boolean;
  thread_participants?: string[];
  last_reply_seq?: number | null;
}

export interface Reaction {
  emoji: string;
  count: number;
  user_ids: string[];
  mine: boolean;
}

export interface ChannelMember {
  id: string;
  name: string;
  status: string;
  /** Handle typed after "@" to mention the person, or null for a deactivated person. */
  handle?: string | null;
}

export interface ChatFile {
  id: string;
  file_name: string;
  content_type: string;
  size: number;
  width: number | null;
  height: number | null;
  is_image?: boolean;
}

export interface TelegramImportSummary {
  chat_name: string;
  total: number;
  imported: number;
  already_present: number;
  skipped: number;
  replies: number;
  matched_authors: string[];
  unmatched_authors: string[];
}

export type TaskStatus = "new" | "in_progress" | "review" | "done" | "postponed" | "cancelled";

export interface Task {
  id: string;
  title: string;
  description: string | null;
  status: TaskStatus;
  creator_id: string;
  assignee_id: string;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  done_at: string | null;
}

export interface TaskComment {
  id: string;
  task_id: string;
  author_id: string;
  author_name: string;
  text: string;
  created_at: string;
}

export interface ApiErrorBody {
  code: string;
  message: string;
  field?: string | null;
}

// --- Finance requests. Amounts are decimal strings such as "12500.50". ---

export type FinanceStatus =
  | "draft"
  | "on_approval"
  | "approved"
  | "scheduled"
  | "partially_paid"
  | "paid"
  | "rejected"
  | "returned";

export type FinanceAction =
  | "edit"
  | "submit"
  | "withdraw"
  | "approve"
  | "reject"
  | "return"
  | "schedule"
  | "pay"
  | "attach";

export type FinanceListView = "mine" | "to_approve" | "all";

export interface FinanceCategory {
  id: string;
  name: string;
  name_en: string | null;
  parent_id: string | null;
  department_id: string | null;
  position_id: string | null;
  monthly_limit: string | null;
}

export interface FinancePathStep {
  index: number;
  kind: "position" | "owner";
  position_id: string | null;
  position_name: string | null;
  /** "current" marks the pending step the request waits on. */
  status: "pending" | "current" | "approved" | "skipped";
  /** Why a step is skipped: nobody holds the position, or the author does. */
  note: "vacant" | "author" | null;
  approvers: PositionHolder[];
  acted_by: string | null;
  acted_by_name: string | null;
  acted_at: string | null;
  comment: string | null;
  rate: string | null;
}

export interface FinanceHistoryEntry {
  version: number;
  action: string;
  from_status: FinanceStatus | null;
  to_status: FinanceStatus;
  actor: PositionHolder;
  comment: string | null;
  reason: string | null;
  rate: string | null;
  step_index: number | null;
  amount: string | null;
  pay_on: string | null;
  changed_fields: string[] | null;
  created_at: string;
}

export interface FinanceRequest {
  id: string;
  status: FinanceStatus;
  version: number;
  amount: string;
  currency: string;
  rate: string | null;
  amount_rub: string | null;
  paid: string;
  remaining: string;
  category_id: string;
  counterparty: string;
  problem: string;
  solution: string;
  pay_by: string;
  pay_on: string | null;
  period: string;
  task_id: string | null;
  author: PositionHolder;
  author_position_id: string | null;
  reason: string | null;
  current_step: number | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  approved_at: string | null;
  paid_at: string | null;
}

export interface FinanceAttachment {
  attachment_id: string;
  file_name: string;
  content_type: string;
  size: number;
  /** "pending" until the upload is completed, then "uploaded". */
  status: "pending" | "uploaded";
  uploaded_by: string;
  created_at: string;
  uploaded_at: string | null;
}

export interface FinanceRequestDetail extends FinanceRequest {
  path: FinancePathStep[];
  /** True while the request is editable: the path is derived as it would be now. */
  path_preview: boolean;
  allowed_actions: FinanceAction[];
  history: FinanceHistoryEntry[];
  /** Only GET of one request returns the chat thread, once the first event made it. */
  thread?: { channel_id: string; thread_id: string } | null;
  /** Uploaded files, and the viewer's own unfinished uploads. */
  attachments: FinanceAttachment[];
}

/** Sums per currency code, as decimal strings. */
export type CurrencyTotals = Record<string, string>;

export interface CalendarPayment {
  id: string;
  status: FinanceStatus;
  counterparty: string;
  category_id: string;
  author: PositionHolder;
  currency: string;
  amount: string;
  remaining: string;
  pay_by: string;
  pay_on: string | null;
  due: boolean;
  overdue: boolean;
}

export interface CalendarDay {
  date: string;
  week: string;
  due: boolean;
  overdue: boolean;
  totals: CurrencyTotals;
  requests: CalendarPayment[];
}

export interface PaymentCalendar {
  from: string;
  to: string;
  today: string;
  days: CalendarDay[];
  weeks: { week: string; totals: CurrencyTotals }[];
  totals: CurrencyTotals;
}

export interface PlanMeasures {
  requested: string;
  approved: string;
  paid: string;
}

export interface PlanCategory extends PlanMeasures {
  id: string;
  name: string;
  name_en: string | null;
  parent_id: string | null;
  requests: number;
  limit: string | null;
  over_limit: boolean;
  requested_over_limit: boolean;
}

export interface MonthPlan {
  month: string;
  currency: string;
  /** "all" when the totals count every request, "visible" when only the viewer's. */
  scope: "all" | "visible";
  categories: PlanCategory[];
  totals: PlanMeasures;
  unconverted: Record<string, PlanMeasures>;
}

export interface FinalApproverSetting {
  kind: "position" | "owner";
  position_id: string | null;
  position_name?: string | null;
  above: string;
}

export interface FinanceSettings {
  saved?: boolean;
  direct_manager_only_up_to: string;
  final_approvers: FinalApproverSetting[];
  finance_position_ids: string[];
}
