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

export type ChannelKind = "general" | "department" | "custom" | "notifications";

export interface Channel {
  id: string;
  name: string;
  kind: ChannelKind;
  description: string | null;
  department_id: string | null;
  archived: boolean;
  created_at: string;
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
  reply_count: number;
  reply_user_ids: string[];
  last_reply_at: string | null;
  created_at: string;
  edited_at: string | null;
}

export interface ChannelMember {
  id: string;
  name: string;
  status: string;
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

export type TaskStatus = "new" | "in_progress" | "done";

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
