#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as v,b,c as w,d as M}from"./chunks/chunk-MDXZNEMJ.js";import{j as C}from"./chunks/chunk-GXFSNTHQ.js";import{a as x,f as y}from"./chunks/chunk-B376LS3C.js";import{b as S,c as l,d as h}from"./chunks/chunk-PFT7X2IW.js";import"./chunks/chunk-VQX4VWMM.js";import"./chunks/chunk-BK6GETLH.js";import"./chunks/chunk-J4BI6WPT.js";import"./chunks/chunk-EENAB5Q6.js";import"./chunks/chunk-DAKDPSFQ.js";import{parseArgs as O}from"node:util";var I=["validate","plan","run","demo"],k=`Usage: chaos-gate <command> [--suite FILE] [options]

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
`,E=Object.values(x).filter(s=>!["github-token","slack-token","slack-webhook-url","prometheus-token"].includes(s));function T(s){let e=new Map;for(let o of s.experiments)e.set(o.provider,(e.get(o.provider)??0)+1);let i=[...e].map(([o,p])=>`${o} ${p}`).join(", "),c=(o,p)=>`${o} ${p}${o===1?"":"s"}`;return`${s.file}: suite "${s.name}" is valid: ${c(s.experiments.length,"experiment")} (${i}), ${c(Object.keys(s.probes).length,"probe")}, ${c(Object.keys(s.slos).length,"SLO")}; ${s.selected.length} selected.`}async function j(s,e){let i=C(e.out,e.err,s.includes("--verbose")),c;try{c=O({args:s,allowPositionals:!0,strict:!0,options:{...Object.fromEntries(E.map(n=>[n,{type:"string"}])),json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(n){let t=/'(-{1,2}[^']+)'/.exec(h(n))?.[1],a=t?v(t.replace(/^-+/,""),[...E,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(n)}${a}

${k}`),l.Configuration}let{values:o,positionals:p}=c;if(o.help)return e.out.write(k),l.Success;let[u,...m]=p,g=u?I.includes(u)?m.length>0?`unexpected argument${m.length===1?"":"s"}: ${m.join(" ")} (options take the form --name value)`:void 0:`unknown command \`${u}\`${v(u,I)}`:"a command is required";if(g)return e.err.write(`chaos-gate: ${g}

${k}`),l.Configuration;let f=n=>{let t=o[n];return typeof t=="string"?t:""};try{let t=y(r=>{let N={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return f(r)||N[r]||""},{mask:()=>{},env:e.env});if(u==="demo")return e.err.write("chaos-gate: `demo` is not available in this version: the simulators are not shipped yet. Use `validate`, `plan` or `run`.\n"),l.Configuration;let a=M(t,e.env,e.cwd);if(u==="run")return await L(a,t,i,e);if(u==="validate")return o.json?e.out.write(JSON.stringify({valid:!0,suite:a.name,experiments:a.experiments.map(r=>r.name),selected:a.selected.map(r=>r.name)},null,2)+`
`):i.info(T(a)),l.Success;let d=b(a,t.timeoutMs);return o.json?e.out.write(JSON.stringify({suite:d.suite,maxParallel:d.maxParallel,worstCaseMs:d.worstCaseMs,runTimeoutMs:d.runTimeoutMs,notSelected:d.skipped,steps:d.steps.map(r=>({name:r.experiment.name,provider:r.experiment.provider,kind:r.experiment.plan.kind,targets:r.experiment.plan.targets,durationMs:r.experiment.plan.durationMs??null,timeoutMs:r.experiment.timeoutMs,slot:r.slot,startMs:r.startMs,worstMs:r.worstMs}))},null,2)+`
`):i.info(w(d)),l.Success}catch(n){return n instanceof S?(n.issues.forEach(t=>i.problem(t)),e.err.write(`chaos-gate: configuration error (${n.issues.length} problem${n.issues.length===1?"":"s"}); nothing was injected.
`),l.Configuration):(e.err.write(`chaos-gate: ${h(n)}
`),l.VerdictFailed)}}async function L(s,e,i,c){let{executeRun:o,exitCodeOf:p}=await import("./chunks/pipeline-Z7PJWFTO.js"),{renderRunText:u}=await import("./chunks/run-summary-RLFQDZQJ.js"),m=new AbortController,g=t=>{m.signal.aborted||c.err.write(`chaos-gate: ${t}: stopping every experiment and cleaning up
`),m.abort(t)},f=()=>g("SIGINT"),n=()=>g("SIGTERM");process.on("SIGINT",f),process.on("SIGTERM",n);try{i.info(w(b(s,e.timeoutMs)));let t=await o(s,e,{log:i,env:c.env,mask:()=>{},saveState:()=>{},signal:m.signal});i.info(u(t));let a=p(t,e.failOn);return a===l.CleanupFailed&&c.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${t.ledgerPath}.
`),a}finally{process.off("SIGINT",f),process.off("SIGTERM",n)}}var $=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test($)||$.endsWith("/chaos-gate"))&&(process.exitCode=await j(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{j as main};
