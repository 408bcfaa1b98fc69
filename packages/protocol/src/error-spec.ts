/** How one error code is presented: its HTTP status and a one-line meaning. */
export interface ErrorSpec {
  readonly status: number;
  readonly summary: string;
}
