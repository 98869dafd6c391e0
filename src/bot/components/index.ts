import type { ButtonFamily } from "../handlers.js";

/** Every family of persistent buttons (custom_id `<prefix>:<id>`). Add yours here. */
export const components: readonly ButtonFamily[] = [];
