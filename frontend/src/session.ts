// The signed-in user's bearer token and profile, kept in localStorage so a
// reload stays signed in.

import type { User } from "./types";

const TOKEN_STORAGE_KEY = "shtab.token";
const USER_STORAGE_KEY = "shtab.user";

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_STORAGE_KEY);
}

export function getCurrentUser(): User | null {
  const raw = localStorage.getItem(USER_STORAGE_KEY);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as User;
  } catch {
    return null;
  }
}

export function saveSession(token: string, user: User): void {
  localStorage.setItem(TOKEN_STORAGE_KEY, token);
  saveCurrentUser(user);
}

export function saveCurrentUser(user: User): void {
  localStorage.setItem(USER_STORAGE_KEY, JSON.stringify(user));
}

export function clearSession(): void {
  localStorage.removeItem(TOKEN_STORAGE_KEY);
  localStorage.removeItem(USER_STORAGE_KEY);
}

/** True for the roles the backend lets manage people, templates and imports. */
export function isAdmin(user: User | null = getCurrentUser()): boolean {
  return user !== null && (user.role === "owner" || user.role === "admin");
}
