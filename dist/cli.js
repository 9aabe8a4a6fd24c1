#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as w,b,c as k}from"./chunks/chunk-TEHJPM2V.js";import{a as v}from"./chunks/chunk-WHJSDGRE.js";import"./chunks/chunk-J4BI6WPT.js";import{j as E}from"./chunks/chunk-UPAZ7AZG.js";import"./chunks/chunk-YQ6DQAK6.js";import"./chunks/chunk-6O7I43F5.js";import{a as I,f as y}from"./chunks/chunk-KUWWYEUN.js";import"./chunks/chunk-UP7KQ6VG.js";import"./chunks/chunk-BK6GETLH.js";import"./chunks/chunk-EENAB5Q6.js";import{b as x,c as m,d as h}from"./chunks/chunk-NQDSAXKW.js";import"./chunks/chunk-RCG4VTMS.js";import{parseArgs as T}from"node:util";var C=["validate","plan","run","demo"],S=`Usage: chaos-gate <command> [--suite FILE] [options]

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
`,M=Object.values(I).filter(t=>!["github-token","slack-token","slack-webhook-url","prometheus-token"].includes(t));function O(t){let e=new Map;for(let i of t.experiments)e.set(i.provider,(e.get(i.provider)??0)+1);let s=[...e].map(([i,d])=>`${i} ${d}`).join(", "),o=(i,d)=>`${i} ${d}${i===1?"":"s"}`;return`${t.file}: suite "${t.name}" is valid: ${o(t.experiments.length,"experiment")} (${s}), ${o(Object.keys(t.probes).length,"probe")}, ${o(Object.keys(t.slos).length,"SLO")}; ${t.selected.length} selected.`}async function j(t,e){let s=E(e.out,e.err,t.includes("--verbose")),o;try{o=T({args:t,allowPositionals:!0,strict:!0,options:{...Object.fromEntries(M.map(a=>[a,{type:"string"}])),json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(a){let n=/'(-{1,2}[^']+)'/.exec(h(a))?.[1],u=n?v(n.replace(/^-+/,""),[...M,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(a)}${u}

${S}`),m.Configuration}let{values:i,positionals:d}=o;if(i.help)return e.out.write(S),m.Success;let[l,...p]=d,f=l?C.includes(l)?p.length>0?`unexpected argument${p.length===1?"":"s"}: ${p.join(" ")} (options take the form --name value)`:void 0:`unknown command \`${l}\`${v(l,C)}`:"a command is required";if(f)return e.err.write(`chaos-gate: ${f}

${S}`),m.Configuration;let g=a=>{let n=i[a];return typeof n=="string"?n:""};if(l==="demo")return P(e);try{let n=y(r=>{let N={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return g(r)||N[r]||""},{mask:()=>{},env:e.env}),u=k(n,e.env,e.cwd);if(l==="run")return await L(u,n,s,e);if(l==="validate")return i.json?e.out.write(JSON.stringify({valid:!0,suite:u.name,experiments:u.experiments.map(r=>r.name),selected:u.selected.map(r=>r.name)},null,2)+`
`):s.info(O(u)),m.Success;let c=w(u,n.timeoutMs);return i.json?e.out.write(JSON.stringify({suite:c.suite,maxParallel:c.maxParallel,worstCaseMs:c.worstCaseMs,runTimeoutMs:c.runTimeoutMs,notSelected:c.skipped,steps:c.steps.map(r=>({name:r.experiment.name,provider:r.experiment.provider,kind:r.experiment.plan.kind,targets:r.experiment.plan.targets,durationMs:r.experiment.plan.durationMs??null,timeoutMs:r.experiment.timeoutMs,slot:r.slot,startMs:r.startMs,worstMs:r.worstMs}))},null,2)+`
`):s.info(b(c)),m.Success}catch(a){return a instanceof x?(a.issues.forEach(n=>s.problem(n)),e.err.write(`chaos-gate: configuration error (${a.issues.length} problem${a.issues.length===1?"":"s"}); nothing was injected.
`),m.Configuration):(e.err.write(`chaos-gate: ${h(a)}
`),m.VerdictFailed)}}async function P(t){let{runDemo:e}=await import("./chunks/run-KH5JSOQS.js"),s=new AbortController,o=()=>s.abort("SIGINT");process.on("SIGINT",o),process.on("SIGTERM",o);try{return await e({out:t.out,err:t.err,cwd:t.cwd,signal:s.signal,...t.env.CHAOS_GATE_DEMO_PROMETHEUS==="simulated"?{simulatedPrometheus:!0}:{}})}finally{process.off("SIGINT",o),process.off("SIGTERM",o)}}async function L(t,e,s,o){let{executeRun:i,exitCodeOf:d}=await import("./chunks/pipeline-P673WUWN.js"),{renderRunText:l}=await import("./chunks/run-summary-OPTABML5.js"),p=new AbortController,f=n=>{p.signal.aborted||o.err.write(`chaos-gate: ${n}: stopping every experiment and cleaning up
`),p.abort(n)},g=()=>f("SIGINT"),a=()=>f("SIGTERM");process.on("SIGINT",g),process.on("SIGTERM",a);try{s.info(b(w(t,e.timeoutMs)));let n=await i(t,e,{log:s,env:o.env,mask:()=>{},saveState:()=>{},signal:p.signal,cwd:o.cwd});s.info(l(n));let{writeReportFiles:u}=await import("./chunks/files-D5MZIXLO.js"),c=await u(t,n,e,o.cwd,s);c.json&&s.info(`JSON report: ${c.json}`),c.junit&&s.info(`JUnit report: ${c.junit}`);let r=d(n,e.failOn);return r===m.CleanupFailed&&o.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${n.ledgerPath}.
`),r}finally{process.off("SIGINT",g),process.off("SIGTERM",a)}}var $=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test($)||$.endsWith("/chaos-gate"))&&(process.exitCode=await j(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{j as main};
