// The dashboard's calls to the shell: load a period (a newer request wins
// over a slower older one) with the charts in the OS colour scheme, load it
// again (the scheme changed, the KPI settings were saved), export the
// report. The view renders its fields.
import type { ChartTheme } from "../bindings/ChartTheme";
import type { ExportedReport } from "../bindings/ExportedReport";
import type { KpiFilter } from "../bindings/KpiFilter";
import type { IpcError } from "../bindings/IpcError";
import type { KpiDashboard } from "../bindings/KpiDashboard";
import type { Backend } from "../backend/types";
import { toIpcError } from "./errors";
import { checkPeriod, emptyKpiFilter, type PeriodChoice } from "./kpi";

export interface DashboardView {
  data: KpiDashboard | null;
  loading: boolean;
  error: IpcError | null;
  exported: ExportedReport | null;
  exporting: boolean;
  exportError: IpcError | null;
}

export function initialView(): DashboardView {
  return { data: null, loading: false, error: null, exported: null, exporting: false, exportError: null };
}

export class DashboardModel {
  private seq = 0;
  /** The filter of the data on screen (the export uses it too). */
  private filter: KpiFilter = emptyKpiFilter();
  /** The last period and filter asked for (a reload asks again). */
  private asked: { p: PeriodChoice; filter: KpiFilter } | null = null;
  /** The colour scheme the charts are drawn for. */
  private theme: ChartTheme = "light";

  constructor(
    private backend: Pick<Backend, "kpiDashboard" | "exportReport">,
    private onChange: (v: DashboardView) => void,
    private view: DashboardView = initialView(),
  ) {}

  private set(patch: Partial<DashboardView>) {
    this.view = { ...this.view, ...patch };
    this.onChange(this.view);
  }

  /** Load `p` with the ticket filter `filter`; a malformed period is refused here without a call. */
  async load(p: PeriodChoice, filter: KpiFilter = emptyKpiFilter()): Promise<void> {
    const problem = checkPeriod(p.from ?? "", p.to ?? "");
    if (problem) {
      this.set({ error: { code: "invalid_input", message: problem } });
      return;
    }
    this.asked = { p, filter };
    const mine = ++this.seq;
    this.set({ loading: true, error: null });
    try {
      const data = await this.backend.kpiDashboard(p.from || null, p.to || null, filter, this.theme);
      if (mine === this.seq) {
        this.filter = filter;
        this.set({ data, loading: false, exported: null, exportError: null });
      }
    } catch (e) {
      if (mine === this.seq) this.set({ error: toIpcError(e), loading: false });
    }
  }

  /** Load the last period and filter again (nothing before the first load). */
  async reload(): Promise<void> {
    if (this.asked) await this.load(this.asked.p, this.asked.filter);
  }

  /**
   * Draw the charts for `theme` from now on; a change redraws the period
   * on screen at once. The export stays light: the report is for print.
   */
  async setTheme(theme: ChartTheme): Promise<void> {
    if (theme === this.theme) return;
    this.theme = theme;
    await this.reload();
  }

  /** Export the report of the period and filter on screen. */
  async export(): Promise<void> {
    const d = this.view.data;
    if (!d || this.view.exporting) return;
    this.set({ exporting: true, exportError: null, exported: null });
    try {
      this.set({ exported: await this.backend.exportReport(d.from, d.to, null, this.filter), exporting: false });
    } catch (e) {
      this.set({ exportError: toIpcError(e), exporting: false });
    }
  }
}
