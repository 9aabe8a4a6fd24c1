#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as v,b,c as w,d as M}from"./chunks/chunk-BETJLJCG.js";import{j as C}from"./chunks/chunk-R62NGEUG.js";import{a as x,f as y}from"./chunks/chunk-ERLA36UV.js";import"./chunks/chunk-UP7KQ6VG.js";import"./chunks/chunk-BK6GETLH.js";import{b as S,c as l,d as h}from"./chunks/chunk-PFT7X2IW.js";import"./chunks/chunk-J4BI6WPT.js";import"./chunks/chunk-EENAB5Q6.js";import"./chunks/chunk-RCG4VTMS.js";import{parseArgs as O}from"node:util";var I=["validate","plan","run","demo"],k=`Usage: chaos-gate <command> [--suite FILE] [options]

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
`,E=Object.values(x).filter(s=>!["github-token","slack-token","slack-webhook-url","prometheus-token"].includes(s));function T(s){let e=new Map;for(let o of s.experiments)e.set(o.provider,(e.get(o.provider)??0)+1);let c=[...e].map(([o,d])=>`${o} ${d}`).join(", "),a=(o,d)=>`${o} ${d}${o===1?"":"s"}`;return`${s.file}: suite "${s.name}" is valid: ${a(s.experiments.length,"experiment")} (${c}), ${a(Object.keys(s.probes).length,"probe")}, ${a(Object.keys(s.slos).length,"SLO")}; ${s.selected.length} selected.`}async function j(s,e){let c=C(e.out,e.err,s.includes("--verbose")),a;try{a=O({args:s,allowPositionals:!0,strict:!0,options:{...Object.fromEntries(E.map(n=>[n,{type:"string"}])),json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(n){let t=/'(-{1,2}[^']+)'/.exec(h(n))?.[1],i=t?v(t.replace(/^-+/,""),[...E,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(n)}${i}

${k}`),l.Configuration}let{values:o,positionals:d}=a;if(o.help)return e.out.write(k),l.Success;let[u,...p]=d,g=u?I.includes(u)?p.length>0?`unexpected argument${p.length===1?"":"s"}: ${p.join(" ")} (options take the form --name value)`:void 0:`unknown command \`${u}\`${v(u,I)}`:"a command is required";if(g)return e.err.write(`chaos-gate: ${g}

${k}`),l.Configuration;let f=n=>{let t=o[n];return typeof t=="string"?t:""};try{let t=y(r=>{let N={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return f(r)||N[r]||""},{mask:()=>{},env:e.env});if(u==="demo")return e.err.write("chaos-gate: `demo` is not available in this version: the simulators are not shipped yet. Use `validate`, `plan` or `run`.\n"),l.Configuration;let i=M(t,e.env,e.cwd);if(u==="run")return await L(i,t,c,e);if(u==="validate")return o.json?e.out.write(JSON.stringify({valid:!0,suite:i.name,experiments:i.experiments.map(r=>r.name),selected:i.selected.map(r=>r.name)},null,2)+`
`):c.info(T(i)),l.Success;let m=b(i,t.timeoutMs);return o.json?e.out.write(JSON.stringify({suite:m.suite,maxParallel:m.maxParallel,worstCaseMs:m.worstCaseMs,runTimeoutMs:m.runTimeoutMs,notSelected:m.skipped,steps:m.steps.map(r=>({name:r.experiment.name,provider:r.experiment.provider,kind:r.experiment.plan.kind,targets:r.experiment.plan.targets,durationMs:r.experiment.plan.durationMs??null,timeoutMs:r.experiment.timeoutMs,slot:r.slot,startMs:r.startMs,worstMs:r.worstMs}))},null,2)+`
`):c.info(w(m)),l.Success}catch(n){return n instanceof S?(n.issues.forEach(t=>c.problem(t)),e.err.write(`chaos-gate: configuration error (${n.issues.length} problem${n.issues.length===1?"":"s"}); nothing was injected.
`),l.Configuration):(e.err.write(`chaos-gate: ${h(n)}
`),l.VerdictFailed)}}async function L(s,e,c,a){let{executeRun:o,exitCodeOf:d}=await import("./chunks/pipeline-RUPXHUMM.js"),{renderRunText:u}=await import("./chunks/run-summary-4V3F3CS4.js"),p=new AbortController,g=t=>{p.signal.aborted||a.err.write(`chaos-gate: ${t}: stopping every experiment and cleaning up
`),p.abort(t)},f=()=>g("SIGINT"),n=()=>g("SIGTERM");process.on("SIGINT",f),process.on("SIGTERM",n);try{c.info(w(b(s,e.timeoutMs)));let t=await o(s,e,{log:c,env:a.env,mask:()=>{},saveState:()=>{},signal:p.signal,cwd:a.cwd});c.info(u(t));let i=d(t,e.failOn);return i===l.CleanupFailed&&a.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${t.ledgerPath}.
`),i}finally{process.off("SIGINT",f),process.off("SIGTERM",n)}}var $=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test($)||$.endsWith("/chaos-gate"))&&(process.exitCode=await j(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{j as main};
