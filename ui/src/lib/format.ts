// Dates and numbers as the UI shows them.

const dateFmt = new Intl.DateTimeFormat(undefined, { year: "numeric", month: "short", day: "numeric" });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : dateFmt.format(d);
}

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? "" : dateTimeFmt.format(d);
}

/** "just now", "5 min ago", "3 h ago", "1 day ago", "2 days ago", else the date (also for a time after `now`: a skewed clock). */
export function formatAgo(iso: string | null | undefined, now: Date): string {
  if (!iso) return "never";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "never";
  const s = Math.round((now.getTime() - d.getTime()) / 1000);
  if (s < -45) return formatDateTime(iso);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  if (s < 7 * 86_400) {
    const days = Math.round(s / 86_400);
    return days === 1 ? "1 day ago" : `${days} days ago`;
  }
  return formatDate(iso);
}
