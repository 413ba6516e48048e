import type { Route } from "../router";

/** A mounted screen. The app shell destroys it when the route leaves it. */
export interface View {
  /** Handles a route change that stays on this screen, e.g. another channel. */
  update?(route: Route): void;
  destroy(): void;
}

export type ViewFactory = (container: HTMLElement, route: Route) => View;
