// What every end-to-end scenario needs from the system under test, whether it runs locally or in AWS.

/** The scenarios of the suite, by the name the test reports and the docs use. */
export type ScenarioName =
  'webapp order' | 'partner order' | 'background work' | 'report workflow' | 'batch rescore' | 'console';

/** An order placed in a browser: what the webapp showed after sign-in and after "Place order". */
export interface WebOrderResult {
  readonly orderId: string;
  /** The page's title once signed in (the orders list). */
  readonly signedInTitle: string;
  /** The signed-in account the page header shows. */
  readonly account: string;
  /** The order page's total as shown, e.g. `178.00`. */
  readonly total: string;
  /** The order's status badge on its page. */
  readonly status: string;
  /** The total of the order's row in "My orders", or undefined when the order is not listed. */
  readonly listedTotal: string | undefined;
}

/** One order line as the webapi returns it. */
export interface OrderLine {
  readonly sku: string;
  readonly quantity: number;
  readonly unitPriceCents: number;
  readonly lineTotalCents: number;
}

/** An order as the webapi returns it. */
export interface ApiOrder {
  readonly id: string;
  readonly status: string;
  readonly totalCents: number;
  readonly lines: readonly OrderLine[];
}

/** A partner order: the POST /orders answer and the GET of its location. */
export interface PartnerOrderResult {
  readonly createStatus: number;
  readonly location: string | null;
  readonly created: ApiOrder;
  readonly fetchStatus: number;
  readonly fetched: ApiOrder;
}

/** The effects background-job wrote for an order. */
export interface BackgroundWorkResult {
  /** The invoices' totals in cents, one per invoice (exactly once: one entry). */
  readonly invoiceTotalsCents: readonly number[];
  /** How many notifications were written (exactly once: 1). */
  readonly notifications: number;
}

/** A run of the report workflow, followed to its end. */
export interface WorkflowRunResult {
  readonly executionArn: string;
  /** SUCCEEDED, FAILED, TIMED_OUT or ABORTED. */
  readonly status: string;
  /** The states the execution entered, in order (e.g. `Run Extract`). */
  readonly statesEntered: readonly string[];
}

/** An array job of rescore-orders, followed to its end. */
export interface BatchRunResult {
  readonly jobId: string;
  /** SUCCEEDED or FAILED. */
  readonly status: string;
  readonly arraySize: number;
  /** Children by status at the end, e.g. `{ SUCCEEDED: 4 }`. */
  readonly children: Readonly<Record<string, number>>;
}

/** What the console showed while an order went through the queues and the report ran. */
export interface ConsoleWatchResult {
  readonly requestId: string;
  /** Workloads whose log lines the console's search found for the request id. */
  readonly workloadsInLogs: readonly string[];
  /** Queue names the queues panel listed. */
  readonly queues: readonly string[];
  /** The report execution's status as the workflows panel showed it. */
  readonly reportStatus: string;
}

/** A system the scenarios run against: the local runner or a deployed environment. */
export interface Target {
  /** `local` or `aws <env>`, shown in the suite's title. */
  readonly name: string;
  /** Scenarios this target cannot observe, with the reason reported as the skip note. */
  readonly unsupported: Readonly<Partial<Record<ScenarioName, string>>>;
  /** The sku partner orders use; it must be in the target's catalogue. */
  readonly sku: string;
  /** Signs the target's user in through the webapp's login redirect and places an order with `quantity` of one item. */
  signInAndOrder(quantity: number): Promise<WebOrderResult>;
  /** Gets a client-credentials token, POSTs an order to the webapi and GETs it back from its location. */
  partnerOrder(order: { customerEmail: string; quantity: number }): Promise<PartnerOrderResult>;
  /** Waits until the order's invoice and notification exist, or the timeout; returns what was found. */
  backgroundWork(orderId: string): Promise<BackgroundWorkResult>;
  /** Starts the daily sales report now and follows it to its end. */
  runReportWorkflow(): Promise<WorkflowRunResult>;
  /** Submits rescore-orders as an array job of `arraySize` children and follows it to its end. */
  batchRescore(arraySize: number): Promise<BatchRunResult>;
  /**
   * Opens the local console, creates a partner order with a known request id, and follows it there: the log search
   * finds its lines from the webapi, the backend and both queue workers; then runs the report from the console.
   */
  watchInConsole(): Promise<ConsoleWatchResult>;
  /** Stops what the target started (runner, browser, clients). */
  close(): Promise<void>;
}
