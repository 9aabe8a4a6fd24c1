#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as w,b,c as S,d as M}from"./chunks/chunk-HO2IHMHE.js";import"./chunks/chunk-J4BI6WPT.js";import{j as C}from"./chunks/chunk-52UG5T7S.js";import"./chunks/chunk-6O7I43F5.js";import{a as x,f as $}from"./chunks/chunk-KUWWYEUN.js";import"./chunks/chunk-UP7KQ6VG.js";import"./chunks/chunk-BK6GETLH.js";import"./chunks/chunk-EENAB5Q6.js";import{b as y,c as l,d as h}from"./chunks/chunk-NQDSAXKW.js";import"./chunks/chunk-RCG4VTMS.js";import{parseArgs as O}from"node:util";var I=["validate","plan","run","demo"],k=`Usage: chaos-gate <command> [--suite FILE] [options]

Commands:
  validate   check the suite, its manifests and the blast radius; inject nothing
  plan       validate, then print what a run would do: order, concurrency, targets, worst-case time
  run        run the suite against the cluster (LitmusChaos, Chaos Mesh) and print the verdict
  demo       run against local simulators (not available yet)

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
`,E=Object.values(x).filter(r=>!["github-token","slack-token","slack-webhook-url","prometheus-token"].includes(r));function T(r){let e=new Map;for(let s of r.experiments)e.set(s.provider,(e.get(s.provider)??0)+1);let a=[...e].map(([s,d])=>`${s} ${d}`).join(", "),i=(s,d)=>`${s} ${d}${s===1?"":"s"}`;return`${r.file}: suite "${r.name}" is valid: ${i(r.experiments.length,"experiment")} (${a}), ${i(Object.keys(r.probes).length,"probe")}, ${i(Object.keys(r.slos).length,"SLO")}; ${r.selected.length} selected.`}async function j(r,e){let a=C(e.out,e.err,r.includes("--verbose")),i;try{i=O({args:r,allowPositionals:!0,strict:!0,options:{...Object.fromEntries(E.map(o=>[o,{type:"string"}])),json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(o){let t=/'(-{1,2}[^']+)'/.exec(h(o))?.[1],c=t?w(t.replace(/^-+/,""),[...E,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(o)}${c}

${k}`),l.Configuration}let{values:s,positionals:d}=i;if(s.help)return e.out.write(k),l.Success;let[u,...m]=d,f=u?I.includes(u)?m.length>0?`unexpected argument${m.length===1?"":"s"}: ${m.join(" ")} (options take the form --name value)`:void 0:`unknown command \`${u}\`${w(u,I)}`:"a command is required";if(f)return e.err.write(`chaos-gate: ${f}

${k}`),l.Configuration;let v=o=>{let t=s[o];return typeof t=="string"?t:""};try{let t=$(n=>{let g={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return v(n)||g[n]||""},{mask:()=>{},env:e.env});if(u==="demo")return e.err.write("chaos-gate: `demo` is not available in this version: the simulators are not shipped yet. Use `validate`, `plan` or `run`.\n"),l.Configuration;let c=M(t,e.env,e.cwd);if(u==="run")return await L(c,t,a,e);if(u==="validate")return s.json?e.out.write(JSON.stringify({valid:!0,suite:c.name,experiments:c.experiments.map(n=>n.name),selected:c.selected.map(n=>n.name)},null,2)+`
`):a.info(T(c)),l.Success;let p=b(c,t.timeoutMs);return s.json?e.out.write(JSON.stringify({suite:p.suite,maxParallel:p.maxParallel,worstCaseMs:p.worstCaseMs,runTimeoutMs:p.runTimeoutMs,notSelected:p.skipped,steps:p.steps.map(n=>({name:n.experiment.name,provider:n.experiment.provider,kind:n.experiment.plan.kind,targets:n.experiment.plan.targets,durationMs:n.experiment.plan.durationMs??null,timeoutMs:n.experiment.timeoutMs,slot:n.slot,startMs:n.startMs,worstMs:n.worstMs}))},null,2)+`
`):a.info(S(p)),l.Success}catch(o){return o instanceof y?(o.issues.forEach(t=>a.problem(t)),e.err.write(`chaos-gate: configuration error (${o.issues.length} problem${o.issues.length===1?"":"s"}); nothing was injected.
`),l.Configuration):(e.err.write(`chaos-gate: ${h(o)}
`),l.VerdictFailed)}}async function L(r,e,a,i){let{executeRun:s,exitCodeOf:d}=await import("./chunks/pipeline-OLTO7Y2D.js"),{renderRunText:u}=await import("./chunks/run-summary-J37LVKUJ.js"),m=new AbortController,f=t=>{m.signal.aborted||i.err.write(`chaos-gate: ${t}: stopping every experiment and cleaning up
`),m.abort(t)},v=()=>f("SIGINT"),o=()=>f("SIGTERM");process.on("SIGINT",v),process.on("SIGTERM",o);try{a.info(S(b(r,e.timeoutMs)));let t=await s(r,e,{log:a,env:i.env,mask:()=>{},saveState:()=>{},signal:m.signal,cwd:i.cwd});a.info(u(t));let{buildJsonReport:c,writeJsonReport:p}=await import("./chunks/json-AVMXU47N.js");try{let g=await p(e.reportPath,c(r,t,{environment:e.environment}),i.cwd);a.info(`JSON report: ${g}`)}catch(g){a.warning(`could not write the JSON report ${e.reportPath}: ${h(g)}`)}let n=d(t,e.failOn);return n===l.CleanupFailed&&i.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${t.ledgerPath}.
`),n}finally{process.off("SIGINT",v),process.off("SIGTERM",o)}}var N=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test(N)||N.endsWith("/chaos-gate"))&&(process.exitCode=await j(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{j as main};
