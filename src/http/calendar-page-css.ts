/**
 * The month view's whole stylesheet, inlined (no external requests; the CSP allows nothing else).
 * Desktop: a 7-column grid, Monday first. Under 640 px the grid becomes a list of this month's
 * days, each with its weekday, and bars wrap instead of being cut: nothing scrolls sideways.
 */
export const MONTH_CSS = `
:root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;--today:#0969da}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#fff}
main{max-width:1440px;margin:0 auto;padding:16px 20px 32px}
a{color:var(--today)}
.top{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:8px 24px}
h1{font-size:26px;margin:0;font-weight:650}
.sub{margin:2px 0 0;color:var(--muted)}
.sub strong{color:var(--ink)}
nav{display:flex;gap:6px;flex-wrap:wrap}
nav a{display:inline-block;padding:6px 12px;border:1px solid var(--line);border-radius:6px;text-decoration:none;color:var(--ink);background:#fff;font-weight:500}
nav a:hover{background:var(--soft)}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 18px;padding:0;margin:14px 0;color:var(--muted);font-size:13px}
.legend li{display:flex;align-items:center;gap:6px}
.sw{display:inline-block;width:14px;height:14px;border-radius:3px;background:var(--c);flex:none}
.sw.blackout{border:1px solid #c4c9cf}
.sw.season{background:#fff4d6;border:1px solid #e9c46a}
.empty{padding:12px 16px;border:1px solid #e9c46a;background:#fff8e5;border-radius:6px}
.month{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(7,minmax(0,1fr));border-top:1px solid var(--line);border-left:1px solid var(--line)}
.month>li{border-right:1px solid var(--line);border-bottom:1px solid var(--line);min-width:0}
.wd{padding:6px 8px;font-size:12px;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--muted);background:var(--soft)}
.day{min-height:128px;padding:6px;display:flex;flex-direction:column;gap:4px}
.day.out{background:var(--soft)}
.day.out>*{opacity:.55}
.sw.blackout,.day.blackout{background:repeating-linear-gradient(135deg,#f3f4f6 0 6px,#e3e6ea 6px 12px)}
.day.today{box-shadow:inset 0 0 0 2px var(--today)}
.head{display:flex;align-items:center;gap:6px;min-width:0}
.num{font-weight:650;min-width:22px;text-align:center;border-radius:999px;padding:0 4px}
.today .num{background:var(--today);color:#fff}
.wdn,.mon,.tag{display:none}
.today .tag{display:inline;font-size:11px;font-weight:600;color:var(--today)}
.season{margin-left:auto;font-size:11px;background:#fff4d6;color:#6b4500;border:1px solid #e9c46a;border-radius:999px;padding:0 7px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0}
.reason{margin:0;font-size:12px;font-weight:650;color:#424a53;text-transform:uppercase;letter-spacing:.02em}
.bars{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:3px}
.bar{background:var(--c);color:#fff;border-radius:4px;padding:2px 6px;font-size:12px;line-height:1.35;overflow-wrap:anywhere}
.bar time{font-weight:700;font-variant-numeric:tabular-nums;margin-right:4px}
.bar .n{white-space:nowrap;font-weight:600}
.bar .how{display:block;font-size:11px;opacity:.85}
.bar.held .how{font-weight:600;color:var(--ink)}
.bar.ghost{background:#fff;color:var(--ink);border:1px solid var(--c);border-left-width:4px;padding-left:5px}
.bar.held{background:#fff;color:var(--muted);border:1px dashed var(--c)}
.total{margin:auto 0 0;font-size:12px;font-weight:600;color:var(--muted);font-variant-numeric:tabular-nums}
footer{margin-top:14px;color:var(--muted);font-size:12px}
footer p{margin:4px 0}
@media (max-width:640px){
 main{padding:12px 12px 24px}
 h1{font-size:22px}
 .month{display:block;border:0}
 .month>li{border:0;border-bottom:1px solid var(--line)}
 .wd,.day.out{display:none}
 .day{min-height:0;padding:10px 4px}
 .day.today{box-shadow:inset 3px 0 0 var(--today);padding-left:10px}
 .wdn,.mon{display:inline;font-weight:650}
 .wdn{min-width:32px;color:var(--muted)}
 .season{white-space:normal}
}
`;
