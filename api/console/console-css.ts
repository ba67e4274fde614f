/** The console's one stylesheet (served at /console/console.css; the CSP allows only it). */
export const consoleStylesheet = `/* Issuer console: system fonts, high contrast (WCAG AA), visible focus, no scripts. */
:root { color-scheme: light; --ink: #1b1b1b; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b4f9c; --bad: #9b1c1c; --good: #175e2a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid #f2a900; outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
.skip:focus { left: .5rem; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .75rem 1.5rem; border-bottom: 1px solid var(--line); background: #f4f6f9; }
.brand { margin: 0; font-weight: 700; }
nav { display: flex; flex: 1; align-items: center; justify-content: space-between; gap: 1rem; }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
nav form { display: flex; align-items: center; gap: .75rem; }
.who { color: var(--muted); }
main { padding: 1rem 1.5rem 3rem; max-width: 75rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; }
table { border-collapse: collapse; width: 100%; margin-top: 1rem; }
caption { text-align: left; font-weight: 600; padding: .5rem 0; }
th, td { border-bottom: 1px solid var(--line); padding: .5rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f5; }
label { display: block; font-weight: 600; }
input, select, textarea { font: inherit; padding: .4rem .5rem; border: 1px solid #767676; border-radius: 4px; max-width: 100%; }
button { font: inherit; padding: .45rem .9rem; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
button:hover { background: #083d79; }
.stack { display: flex; flex-direction: column; gap: .5rem; max-width: 32rem; }
.filters { display: flex; flex-wrap: wrap; align-items: flex-end; gap: 1rem; }
.inline { display: inline-flex; align-items: center; gap: .5rem; margin: 0 .5rem .25rem 0; }
.inline label { font-weight: 400; }
.decisions { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: 1.5rem; }
.decisions form { border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.decisions h3 { margin: 0; }
.summary { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
.summary dt { font-weight: 600; }
.summary dd { margin: 0; }
.evidence-item { border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin: .75rem 0; }
.evidence-item h4 { margin: 0 0 .5rem; }
.evidence-item dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
.evidence-item dt { font-weight: 600; }
.evidence-item dd { margin: 0; overflow-wrap: anywhere; }
.evidence-image { max-width: 28rem; max-height: 28rem; border: 1px solid var(--line); }
.notice { border-left: 4px solid var(--good); background: #eef7f0; padding: .5rem 1rem; }
.problem { border-left: 4px solid var(--bad); background: #fbeeee; padding: .5rem 1rem; }
.help { color: var(--muted); }
code { font-size: .9em; overflow-wrap: anywhere; }
`;
