const specs = process.argv.slice(2); const out = [];
for (const s of specs) { const c = process.cpuUsage(); await import(s); const d = process.cpuUsage(c); out.push(`${s.split('/').slice(-2).join('/')}=${((d.user + d.system) / 1000).toFixed(0)}`); }
console.log(out.join(' '));
