#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as b,b as S,c as C}from"./chunks/chunk-4LM372TA.js";import{a as w}from"./chunks/chunk-WHJSDGRE.js";import"./chunks/chunk-J4BI6WPT.js";import{j as k}from"./chunks/chunk-52UG5T7S.js";import"./chunks/chunk-6O7I43F5.js";import{a as x,f as E}from"./chunks/chunk-KUWWYEUN.js";import"./chunks/chunk-UP7KQ6VG.js";import"./chunks/chunk-BK6GETLH.js";import"./chunks/chunk-EENAB5Q6.js";import{b as y,c as m,d as h}from"./chunks/chunk-NQDSAXKW.js";import"./chunks/chunk-RCG4VTMS.js";import{parseArgs as T}from"node:util";var M=["validate","plan","run","demo"],I=`Usage: chaos-gate <command> [--suite FILE] [options]

Commands:
  validate   check the suite, its manifests and the blast radius; inject nothing
  plan       validate, then print what a run would do: order, concurrency, targets, worst-case time
  run        run the suite against the cluster (LitmusChaos, Chaos Mesh) and print the verdict
  demo       run examples/demo/suite.yml against local simulators and write demo-out/

Options (named like the action's inputs):
  --suite FILE          suite file (default .github/chaos/suite.yml)
  --experiments LIST    comma-separated names and tag:NAME selectors (default: all)
  --environment NAME    environment, checked against safety.environments (default staging)
  --kubeconfig PATH     kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --kube-context NAME   kubeconfig context, checked against safety.kubeContexts
  --timeout DURATION    deadline of the whole run (default 30m)
  --fail-on LEVEL       fail, warn or never (default fail)
  --prometheus-url URL  Prometheus for probes and SLOs
  --json                print the plan (or validation result) as JSON
  --verbose             debug output
  -h, --help            this text

Exit codes: 0 success, 1 verdict failed, 2 configuration or usage error (nothing injected), 3 cleanup failed.
`,$=Object.values(x).filter(t=>!["github-token","slack-token","slack-webhook-url","prometheus-token"].includes(t));function O(t){let e=new Map;for(let i of t.experiments)e.set(i.provider,(e.get(i.provider)??0)+1);let a=[...e].map(([i,d])=>`${i} ${d}`).join(", "),o=(i,d)=>`${i} ${d}${i===1?"":"s"}`;return`${t.file}: suite "${t.name}" is valid: ${o(t.experiments.length,"experiment")} (${a}), ${o(Object.keys(t.probes).length,"probe")}, ${o(Object.keys(t.slos).length,"SLO")}; ${t.selected.length} selected.`}async function P(t,e){let a=k(e.out,e.err,t.includes("--verbose")),o;try{o=T({args:t,allowPositionals:!0,strict:!0,options:{...Object.fromEntries($.map(s=>[s,{type:"string"}])),json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(s){let n=/'(-{1,2}[^']+)'/.exec(h(s))?.[1],c=n?w(n.replace(/^-+/,""),[...$,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(s)}${c}

${I}`),m.Configuration}let{values:i,positionals:d}=o;if(i.help)return e.out.write(I),m.Success;let[u,...p]=d,f=u?M.includes(u)?p.length>0?`unexpected argument${p.length===1?"":"s"}: ${p.join(" ")} (options take the form --name value)`:void 0:`unknown command \`${u}\`${w(u,M)}`:"a command is required";if(f)return e.err.write(`chaos-gate: ${f}

${I}`),m.Configuration;let v=s=>{let n=i[s];return typeof n=="string"?n:""};if(u==="demo")return j(e);try{let n=E(r=>{let g={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return v(r)||g[r]||""},{mask:()=>{},env:e.env}),c=C(n,e.env,e.cwd);if(u==="run")return await L(c,n,a,e);if(u==="validate")return i.json?e.out.write(JSON.stringify({valid:!0,suite:c.name,experiments:c.experiments.map(r=>r.name),selected:c.selected.map(r=>r.name)},null,2)+`
`):a.info(O(c)),m.Success;let l=b(c,n.timeoutMs);return i.json?e.out.write(JSON.stringify({suite:l.suite,maxParallel:l.maxParallel,worstCaseMs:l.worstCaseMs,runTimeoutMs:l.runTimeoutMs,notSelected:l.skipped,steps:l.steps.map(r=>({name:r.experiment.name,provider:r.experiment.provider,kind:r.experiment.plan.kind,targets:r.experiment.plan.targets,durationMs:r.experiment.plan.durationMs??null,timeoutMs:r.experiment.timeoutMs,slot:r.slot,startMs:r.startMs,worstMs:r.worstMs}))},null,2)+`
`):a.info(S(l)),m.Success}catch(s){return s instanceof y?(s.issues.forEach(n=>a.problem(n)),e.err.write(`chaos-gate: configuration error (${s.issues.length} problem${s.issues.length===1?"":"s"}); nothing was injected.
`),m.Configuration):(e.err.write(`chaos-gate: ${h(s)}
`),m.VerdictFailed)}}async function j(t){let{runDemo:e}=await import("./chunks/run-6VXSXT5B.js"),a=new AbortController,o=()=>a.abort("SIGINT");process.on("SIGINT",o),process.on("SIGTERM",o);try{return await e({out:t.out,err:t.err,cwd:t.cwd,signal:a.signal,...t.env.CHAOS_GATE_DEMO_PROMETHEUS==="simulated"?{simulatedPrometheus:!0}:{}})}finally{process.off("SIGINT",o),process.off("SIGTERM",o)}}async function L(t,e,a,o){let{executeRun:i,exitCodeOf:d}=await import("./chunks/pipeline-MOEFOBHU.js"),{renderRunText:u}=await import("./chunks/run-summary-RVNIPZZH.js"),p=new AbortController,f=n=>{p.signal.aborted||o.err.write(`chaos-gate: ${n}: stopping every experiment and cleaning up
`),p.abort(n)},v=()=>f("SIGINT"),s=()=>f("SIGTERM");process.on("SIGINT",v),process.on("SIGTERM",s);try{a.info(S(b(t,e.timeoutMs)));let n=await i(t,e,{log:a,env:o.env,mask:()=>{},saveState:()=>{},signal:p.signal,cwd:o.cwd});a.info(u(n));let{buildJsonReport:c,writeJsonReport:l}=await import("./chunks/json-L42QYYXY.js");try{let g=await l(e.reportPath,c(t,n,{environment:e.environment}),o.cwd);a.info(`JSON report: ${g}`)}catch(g){a.warning(`could not write the JSON report ${e.reportPath}: ${h(g)}`)}let r=d(n,e.failOn);return r===m.CleanupFailed&&o.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${n.ledgerPath}.
`),r}finally{process.off("SIGINT",v),process.off("SIGTERM",s)}}var N=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test(N)||N.endsWith("/chaos-gate"))&&(process.exitCode=await P(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{P as main};
