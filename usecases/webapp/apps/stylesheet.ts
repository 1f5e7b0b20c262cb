// The app's one stylesheet, served at STYLESHEET_PATH without sign-in; kept in code so the bundle is one file.

/** Where the stylesheet is served; public (no identity needed), like /health. */
export const STYLESHEET_PATH = '/static/app.css';

export const STYLESHEET = `
:root {
  --text: #1b1f24;
  --muted: #5b6470;
  --line: #d8dde3;
  --surface: #ffffff;
  --page: #f5f6f8;
  --brand: #232f3e;
  --accent: #0b5fff;
  --error: #b00020;
  --error-bg: #fdecee;
  --focus: #ffbf47;
  color-scheme: light;
}
* { box-sizing: border-box; }
html { font-size: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  line-height: 1.5;
  color: var(--text);
  background: var(--page);
}
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; top: 0; background: var(--surface); padding: .5rem 1rem; }
.skip-link:focus { left: 1rem; z-index: 1; }

.site-header { background: var(--brand); color: #fff; }
.site-header .bar {
  max-width: 60rem; margin: 0 auto; padding: .75rem 1.25rem;
  display: flex; flex-wrap: wrap; align-items: center; gap: .75rem 1.5rem;
}
.brand { font-weight: 700; color: #fff; text-decoration: none; font-size: 1.1rem; }
.site-header nav { display: flex; gap: 1rem; }
.site-header nav a { color: #fff; }
.site-header nav a[aria-current="page"] { font-weight: 700; }
.account { margin-left: auto; display: flex; align-items: center; gap: .75rem; font-size: .925rem; }
.account form { margin: 0; }

main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; margin: .25rem 0 1rem; line-height: 1.25; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
p { margin: .5rem 0 1rem; max-width: 42rem; }
.muted { color: var(--muted); }
.order-meta { color: var(--muted); max-width: none; }
.order-meta .status { margin-right: .5rem; }
.order-meta .request-id { white-space: nowrap; }
.page-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: .5rem 1rem; }
.card { background: var(--surface); border: 1px solid var(--line); border-radius: 8px; padding: 1.25rem; }

table { width: 100%; border-collapse: collapse; background: var(--surface); border: 1px solid var(--line); border-radius: 8px; }
caption { text-align: left; color: var(--muted); padding: 0 0 .5rem; }
th, td { padding: .6rem .8rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); background: #fafbfc; }
tfoot th, tfoot td { border-bottom: 0; font-weight: 700; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sku { color: var(--muted); font-size: .85rem; }

.status {
  display: inline-block; padding: .1rem .55rem; border-radius: 999px; font-size: .85rem; font-weight: 600;
  background: #eef1f5; color: #33404f; text-transform: capitalize;
}
.status-pending { background: #fff4d6; color: #6b4e00; }
.status-confirmed, .status-invoiced { background: #e3edff; color: #123e99; }
.status-shipped, .status-delivered { background: #e2f5e7; color: #1c5a2c; }
.status-cancelled { background: #f1f1f1; color: #555; }

.button, button {
  display: inline-block; font: inherit; font-weight: 600; padding: .5rem 1rem; border-radius: 6px;
  border: 1px solid var(--accent); background: var(--accent); color: #fff; text-decoration: none; cursor: pointer;
}
.button.secondary, button.secondary { background: transparent; color: inherit; border-color: currentColor; }
.site-header button.secondary { color: #fff; padding: .3rem .8rem; }

form.order-form fieldset { border: 1px solid var(--line); border-radius: 8px; background: var(--surface); margin: 0 0 1rem; padding: 1rem 1.25rem; }
form.order-form legend { font-weight: 700; padding: 0 .25rem; }
.line-row { display: grid; grid-template-columns: minmax(0, 1fr) 8rem; gap: .5rem 1rem; margin-bottom: .75rem; }
label { display: block; font-weight: 600; font-size: .925rem; margin-bottom: .25rem; }
select, input[type="number"] {
  width: 100%; font: inherit; padding: .45rem .5rem; border: 1px solid #9aa4b1; border-radius: 6px; background: #fff;
}
[aria-invalid="true"] { border-color: var(--error); box-shadow: 0 0 0 1px var(--error); }
.field-error { color: var(--error); font-size: .875rem; margin: .25rem 0 0; }
.error-summary { border: 2px solid var(--error); background: var(--error-bg); border-radius: 8px; padding: .75rem 1rem; margin: 0 0 1rem; }
.error-summary h2 { margin: 0 0 .25rem; font-size: 1rem; color: var(--error); }
.error-summary ul { margin: 0; padding-left: 1.25rem; }
.actions { display: flex; gap: 1rem; align-items: center; }
.request-id { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .85rem; }

@media (max-width: 36rem) {
  .line-row { grid-template-columns: 1fr; }
  .account { margin-left: 0; }
  th, td { padding: .5rem; }
}
`;
