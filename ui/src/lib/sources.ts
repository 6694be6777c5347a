// Helpers of the "Connect your ticket server" form.

/**
 * A source name from a project identifier: lower case, runs of anything but
 * letters, digits, `.`, `_` and `-` become one `-` (the names the shell accepts).
 */
export function suggestSourceName(project: string): string {
  return project
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
}
