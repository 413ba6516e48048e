// Every UI string, in Russian and English. Russian is the default, and the
// choice is kept in localStorage so it survives reloads and sign-outs.

export type Language = "ru" | "en";

const LANGUAGE_STORAGE_KEY = "shtab.language";

const ru = {
  appName: "Штаб",
  navOrg: "Оргструктура",
  navChat: "Чат",
  navTasks: "Задачи",
  logout: "Выйти",
  languageToggle: "EN",
  languageToggleTitle: "Switch to English",
  online: "онлайн",
  offline: "офлайн",
  close: "Закрыть",
  loading: "Загрузка…",
  loadMore: "Показать ещё",
  networkError: "Нет связи с сервером. Проверьте подключение и попробуйте ещё раз.",
  unexpectedError: "Сервер вернул ошибку {status}.",
  socketTimeout: "Сервер не подтвердил отправку. Попробуйте ещё раз.",

  loginTitle: "Вход в Штаб",
  loginEmail: "Эл. почта",
  loginPassword: "Пароль",
  loginSubmit: "Войти",

  templatesTitle: "Шаблоны оргструктуры",
  templateApply: "Развернуть шаблон",
  templateApplied: "Развёрнут",
  templateCounts: "Отделов: {departments}, должностей: {positions}",
  templateAppliedNotice: "Шаблон «{name}» развёрнут.",
  chartTitle: "Оргструктура",
  chartEmpty: "Отделов пока нет. Разверните шаблон или создайте отделы.",
  expandAll: "Развернуть всё",
  collapseAll: "Свернуть всё",
  expand: "Развернуть",
  collapse: "Свернуть",
  vacant: "вакансия",
  positionPurpose: "Назначение",
  positionFunctions: "Функции",
  positionHolders: "Сотрудники",
  positionNoFunctions: "Функции не описаны.",
  addUserTitle: "Добавить сотрудника",
  addUserName: "Имя",
  addUserEmail: "Эл. почта",
  addUserPosition: "Должность",
  addUserNoPosition: "— без должности —",
  addUserRole: "Роль",
  addUserLocale: "Язык",
  addUserSubmit: "Добавить",
  addUserCreated: "Сотрудник {name} добавлен.",
  generatedPassword: "Пароль для входа (показывается один раз):",
  roleOwner: "владелец",
  roleAdmin: "администратор",
  roleManager: "руководитель",
  roleEmployee: "сотрудник",
  localeRu: "русский",
  localeEn: "английский",
  peopleTitle: "Сотрудники",
  peopleEmpty: "Сотрудников пока нет.",
  peopleName: "Имя",
  peopleEmail: "Эл. почта",
  peopleRole: "Роль",
  peoplePosition: "Должность",
  deactivate: "Деактивировать",
  deactivated: "Сотрудник {name} деактивирован.",
  positionReportsTo: "Подчиняется",
  you: "вы",

  channelsTitle: "Каналы",
  channelCreate: "Новый канал",
  channelName: "Название",
  channelDescription: "Описание (необязательно)",
  channelCreateSubmit: "Создать",
  cancel: "Отмена",
  channelNone: "Выберите канал слева.",
  channelLeft: "Вы больше не участник этого канала.",
  channelsEmpty: "Каналов пока нет.",
  channelUnread: "Новые сообщения",
  members: "Участники",
  membersTitle: "Участники канала",
  importTelegram: "Импорт из Telegram",
  importRunning: "Импорт…",
  importSummary:
    "Импорт «{chat}»: всего {total}, добавлено {imported}, уже было {present}, пропущено {skipped}, ответов в тредах {replies}.",
  importMatched: "Авторы найдены среди сотрудников: {names}.",
  importUnmatched: "Авторы не найдены: {names}.",
  loadOlder: "Загрузить более ранние",
  historyEmpty: "Сообщений пока нет.",
  replyCount: "{count} {word}",
  replyOne: "ответ",
  replyFew: "ответа",
  replyMany: "ответов",
  openThread: "Ответить в треде",
  threadTitle: "Тред",
  threadEmpty: "Ответов пока нет.",
  openTask: "Открыть задачу",
  attachment: "Вложение",
  edited: "(изменено)",
  composerPlaceholder: "Сообщение… (Enter — отправить, Shift+Enter — новая строка)",
  threadComposerPlaceholder: "Ответ в тред…",
  send: "Отправить",
  tooLong: "Слишком длинное сообщение: {count} из {max} символов.",
  systemSender: "Штаб",

  tasksAssigned: "Мои задачи",
  tasksCreated: "Поставленные мной",
  tasksEmpty: "Задач нет.",
  taskCreateTitle: "Новая задача",
  taskTitle: "Название",
  taskDescription: "Описание",
  taskAssignee: "Исполнитель",
  taskDue: "Срок",
  taskCreateSubmit: "Поставить задачу",
  taskCreated: "Задача «{title}» поставлена.",
  taskChooseAssignee: "— выберите исполнителя —",
  taskBack: "← К списку задач",
  taskStatus: "Статус",
  taskCreator: "Автор",
  taskNoDue: "без срока",
  taskNoDescription: "Описания нет.",
  taskDueLabel: "Срок: {date}",
  taskComments: "Комментарии",
  taskCommentsEmpty: "Комментариев пока нет.",
  taskCommentPlaceholder: "Комментарий…",
  taskCommentSubmit: "Комментировать",
  statusNew: "Новая",
  statusInProgress: "В работе",
  statusDone: "Готово",
  unknownUser: "(неизвестный)",
};

type Dictionary = typeof ru;
export type MessageKey = keyof Dictionary;

const en: Dictionary = {
  appName: "Shtab",
  navOrg: "Org chart",
  navChat: "Chat",
  navTasks: "Tasks",
  logout: "Sign out",
  languageToggle: "RU",
  languageToggleTitle: "Переключить на русский",
  online: "online",
  offline: "offline",
  close: "Close",
  loading: "Loading…",
  loadMore: "Show more",
  networkError: "Cannot reach the server. Check the connection and try again.",
  unexpectedError: "The server returned error {status}.",
  socketTimeout: "The server did not confirm the message. Try again.",

  loginTitle: "Sign in to Shtab",
  loginEmail: "Email",
  loginPassword: "Password",
  loginSubmit: "Sign in",

  templatesTitle: "Org chart templates",
  templateApply: "Apply template",
  templateApplied: "Applied",
  templateCounts: "Departments: {departments}, positions: {positions}",
  templateAppliedNotice: "Template “{name}” applied.",
  chartTitle: "Org chart",
  chartEmpty: "No departments yet. Apply a template or create departments.",
  expandAll: "Expand all",
  collapseAll: "Collapse all",
  expand: "Expand",
  collapse: "Collapse",
  vacant: "vacant",
  positionPurpose: "Purpose",
  positionFunctions: "Functions",
  positionHolders: "Held by",
  positionNoFunctions: "No functions described.",
  addUserTitle: "Add an employee",
  addUserName: "Name",
  addUserEmail: "Email",
  addUserPosition: "Position",
  addUserNoPosition: "— no position —",
  addUserRole: "Role",
  addUserLocale: "Language",
  addUserSubmit: "Add",
  addUserCreated: "{name} added.",
  generatedPassword: "Sign-in password (shown only once):",
  roleOwner: "owner",
  roleAdmin: "admin",
  roleManager: "manager",
  roleEmployee: "employee",
  localeRu: "Russian",
  localeEn: "English",
  peopleTitle: "People",
  peopleEmpty: "No people yet.",
  peopleName: "Name",
  peopleEmail: "Email",
  peopleRole: "Role",
  peoplePosition: "Position",
  deactivate: "Deactivate",
  deactivated: "{name} deactivated.",
  positionReportsTo: "Reports to",
  you: "you",

  channelsTitle: "Channels",
  channelCreate: "New channel",
  channelName: "Name",
  channelDescription: "Description (optional)",
  channelCreateSubmit: "Create",
  cancel: "Cancel",
  channelNone: "Choose a channel on the left.",
  channelLeft: "You are no longer a member of this channel.",
  channelsEmpty: "No channels yet.",
  channelUnread: "New messages",
  members: "Members",
  membersTitle: "Channel members",
  importTelegram: "Import from Telegram",
  importRunning: "Importing…",
  importSummary:
    "Import of “{chat}”: {total} in total, {imported} added, {present} already present, {skipped} skipped, {replies} thread replies.",
  importMatched: "Authors matched to employees: {names}.",
  importUnmatched: "Authors not matched: {names}.",
  loadOlder: "Load older messages",
  historyEmpty: "No messages yet.",
  replyCount: "{count} {word}",
  replyOne: "reply",
  replyFew: "replies",
  replyMany: "replies",
  openThread: "Reply in thread",
  threadTitle: "Thread",
  threadEmpty: "No replies yet.",
  openTask: "Open the task",
  attachment: "Attachment",
  edited: "(edited)",
  composerPlaceholder: "Message… (Enter sends, Shift+Enter adds a line)",
  threadComposerPlaceholder: "Reply in thread…",
  send: "Send",
  tooLong: "The message is too long: {count} of {max} characters.",
  systemSender: "Shtab",

  tasksAssigned: "My tasks",
  tasksCreated: "Set by me",
  tasksEmpty: "No tasks.",
  taskCreateTitle: "New task",
  taskTitle: "Title",
  taskDescription: "Description",
  taskAssignee: "Assignee",
  taskDue: "Due date",
  taskCreateSubmit: "Create task",
  taskCreated: "Task “{title}” created.",
  taskChooseAssignee: "— choose an assignee —",
  taskBack: "← Back to tasks",
  taskStatus: "Status",
  taskCreator: "Created by",
  taskNoDue: "no due date",
  taskNoDescription: "No description.",
  taskDueLabel: "Due: {date}",
  taskComments: "Comments",
  taskCommentsEmpty: "No comments yet.",
  taskCommentPlaceholder: "Comment…",
  taskCommentSubmit: "Comment",
  statusNew: "New",
  statusInProgress: "In progress",
  statusDone: "Done",
  unknownUser: "(unknown)",
};

const dictionaries: Record<Language, Dictionary> = { ru, en };

function readStoredLanguage(): Language {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY) === "en" ? "en" : "ru";
  } catch {
    return "ru";
  }
}

let currentLanguage: Language = readStoredLanguage();

export function getLanguage(): Language {
  return currentLanguage;
}

export function setLanguage(language: Language): void {
  currentLanguage = language;
  document.documentElement.lang = language;
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, language);
  } catch {
    // Some private-browsing modes reject storage writes, so the choice then lasts until reload.
  }
}

/** Looks up `key` in the current language and fills `{name}` placeholders. */
export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  const template = dictionaries[currentLanguage][key];
  return template.replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** Formats "N replies" with the plural form the language needs (1 ответ, 2 ответа, 5 ответов). */
export function formatReplyCount(count: number): string {
  const form = new Intl.PluralRules(currentLanguage).select(count);
  let word = t("replyMany");
  if (form === "one") word = t("replyOne");
  else if (form === "few") word = t("replyFew");
  return t("replyCount", { count, word });
}

/** Formats a timestamp in local time, leaving out the date when it is today. */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const locale = currentLanguage === "ru" ? "ru-RU" : "en-GB";
  const time = date.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  if (date.toDateString() === new Date().toDateString()) return time;
  const day = date.toLocaleDateString(locale, { day: "2-digit", month: "2-digit", year: "numeric" });
  return `${day} ${time}`;
}

/** Formats a calendar date "YYYY-MM-DD" without shifting it through the local time zone. */
export function formatDate(isoDate: string | null | undefined): string {
  if (!isoDate) return "";
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(isoDate);
  if (!match) return isoDate;
  const [, year, month, day] = match;
  return currentLanguage === "ru" ? `${day}.${month}.${year}` : `${day}/${month}/${year}`;
}

/** Picks the English variant of a server-side name when English is on and it exists. */
export function localized(russian: string, english: string | null | undefined): string {
  return currentLanguage === "en" && english ? english : russian;
}

document.documentElement.lang = currentLanguage;
