#!/usr/bin/env node
import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a as I,b as S,c as $}from"./chunks/chunk-XERJ6SKY.js";import{a as b}from"./chunks/chunk-BO4IQW66.js";import"./chunks/chunk-6O7I43F5.js";import"./chunks/chunk-J4BI6WPT.js";import{j as E}from"./chunks/chunk-KPJZHDEW.js";import"./chunks/chunk-UEVRP5K5.js";import{a as g,f as k}from"./chunks/chunk-2PDW722H.js";import"./chunks/chunk-J3ZVUV4M.js";import"./chunks/chunk-BK6GETLH.js";import{f as C}from"./chunks/chunk-5GDOBBIV.js";import{b as v,c as d,d as h}from"./chunks/chunk-NQDSAXKW.js";import{a as x}from"./chunks/chunk-EENAB5Q6.js";import"./chunks/chunk-VBGGSF4H.js";import"./chunks/chunk-RCG4VTMS.js";import{parseArgs as j}from"node:util";var M=["validate","plan","run","demo","cleanup"],y=`Usage: chaos-gate <command> [--suite FILE] [options]

Commands:
  validate   check the suite, its manifests and the blast radius; inject nothing
  plan       validate, then print what a run would do: order, concurrency, targets, worst-case time
  run        run the suite against the cluster (LitmusChaos, Chaos Mesh) and print the verdict
  demo       run examples/demo/suite.yml against local simulators and write demo-out/
  cleanup    remove what runs that died hard left behind, by label and tag, in the suite's
             safety.namespaces and FIS: exactly one of --run ID and --older-than DURATION

Options (named like the action's inputs):
  --suite FILE          suite file (default .github/chaos/suite.yml)
  --experiments LIST    comma-separated names and tag:NAME selectors (default: all)
  --environment NAME    environment, checked against safety.environments (default staging)
  --kubeconfig PATH     kubeconfig file (default: KUBECONFIG, ~/.kube/config, in-cluster)
  --kube-context NAME   kubeconfig context, checked against safety.kubeContexts
  --timeout DURATION    deadline of the whole run (default 30m)
  --fail-on LEVEL       fail, warn or never (default fail)
  --aws-region REGION   region for FIS (default AWS_REGION)
  --prometheus-url URL  Prometheus for probes and SLOs
  --json                print the plan (or validation result) as JSON
  --verbose             debug output
  -h, --help            this text

Cleanup options:
  --run ID                the run whose leftovers to remove (gh-<run id>-<attempt>, local-...)
  --older-than DURATION   every run's leftovers created longer ago than this (2h, 1d)
  --list                  only list what would be removed (exit 3 when something is found)

Exit codes: 0 success, 1 verdict failed, 2 configuration or usage error (nothing injected), 3 cleanup failed.
`,N=Object.values(g).filter(t=>!["github-token","slack-token","slack-webhook-url","prometheus-token","cleanup-run","cleanup-older-than"].includes(t)),O=["run","older-than","list"];function P(t){let e=new Map;for(let o of t.experiments)e.set(o.provider,(e.get(o.provider)??0)+1);let i=[...e].map(([o,p])=>`${o} ${p}`).join(", "),r=(o,p)=>`${o} ${p}${o===1?"":"s"}`;return`${t.file}: suite "${t.name}" is valid: ${r(t.experiments.length,"experiment")} (${i}), ${r(Object.keys(t.probes).length,"probe")}, ${r(Object.keys(t.slos).length,"SLO")}; ${t.selected.length} selected.`}async function R(t,e){let i=E(e.out,e.err,t.includes("--verbose")),r;try{r=j({args:t,allowPositionals:!0,strict:!0,options:{...Object.fromEntries(N.map(n=>[n,{type:"string"}])),run:{type:"string"},"older-than":{type:"string"},list:{type:"boolean"},json:{type:"boolean"},verbose:{type:"boolean"},help:{type:"boolean",short:"h"}}})}catch(n){let a=/'(-{1,2}[^']+)'/.exec(h(n))?.[1],c=a?b(a.replace(/^-+/,""),[...N,...O,"json","verbose","help"]).replace("`","`--"):"";return e.err.write(`chaos-gate: ${h(n)}${c}

${y}`),d.Configuration}let{values:o,positionals:p}=r;if(o.help)return e.out.write(y),d.Success;let[s,...m]=p,f=s?M.includes(s)?m.length>0?`unexpected argument${m.length===1?"":"s"}: ${m.join(" ")} (options take the form --name value)`:s==="cleanup"?L(o.run,o["older-than"]):O.filter(n=>o[n]!==void 0).map(n=>`--${n} is an option of \`cleanup\`, not of \`${s}\``).at(0):`unknown command \`${s}\`${b(s,M)}`:"a command is required";if(f)return e.err.write(`chaos-gate: ${f}

${y}`),d.Configuration;let w=n=>{if(s==="cleanup"){if(n===g.Mode)return"cleanup";if(n===g.CleanupRun)return o.run??"";if(n===g.CleanupOlderThan)return o["older-than"]??""}let a=o[n];return typeof a=="string"?a:""};if(s==="demo")return U(e);try{let a=k(l=>{let A={"github-token":e.env.GITHUB_TOKEN,"slack-webhook-url":e.env.SLACK_WEBHOOK_URL,"slack-token":e.env.SLACK_TOKEN,"prometheus-token":e.env.PROMETHEUS_TOKEN};return w(l)||A[l]||""},{mask:()=>{},env:e.env}),c=$(a,e.env,e.cwd);if(s==="run")return await D(c,a,i,e);if(s==="cleanup")return await G(c,a,i,e,o.list===!0);if(s==="validate")return o.json?e.out.write(JSON.stringify({valid:!0,suite:c.name,experiments:c.experiments.map(l=>l.name),selected:c.selected.map(l=>l.name)},null,2)+`
`):i.info(P(c)),d.Success;let u=I(c,a.timeoutMs);return o.json?e.out.write(JSON.stringify({suite:u.suite,maxParallel:u.maxParallel,worstCaseMs:u.worstCaseMs,runTimeoutMs:u.runTimeoutMs,notSelected:u.skipped,steps:u.steps.map(l=>({name:l.experiment.name,provider:l.experiment.provider,kind:l.experiment.plan.kind,targets:l.experiment.plan.targets,durationMs:l.experiment.plan.durationMs??null,timeoutMs:l.experiment.timeoutMs,slot:l.slot,startMs:l.startMs,worstMs:l.worstMs}))},null,2)+`
`):i.info(S(u)),d.Success}catch(n){return n instanceof v?(n.issues.forEach(a=>i.problem(a)),e.err.write(`chaos-gate: configuration error (${n.issues.length} problem${n.issues.length===1?"":"s"}); nothing was injected.
`),d.Configuration):(e.err.write(`chaos-gate: ${h(n)}
`),d.VerdictFailed)}}function L(t,e){if(!t==!e)return`cleanup takes exactly one of --run ID and --older-than DURATION${t?", not both":""}`;if(t&&C(t)!==t)return`--run '${t}' is not a run id (expected something like gh-1234-1 or local-m3x9k2-ab12)`;if(e&&!((x(e)??0)>0))return`--older-than '${e}' is not a duration (expected something like 2h, 90m or 1d)`}async function G(t,e,i,r,o){let{sweep:p}=await import("./chunks/sweep-PWPMETQL.js");try{let s=await p(t,e,{log:i,env:r.env,mask:()=>{},cwd:r.cwd},{listOnly:o});return s.exitCode!==d.Success&&s.problems.length&&r.err.write(`${s.message}
`),s.exitCode}catch(s){if(s instanceof v)throw s;return r.err.write(`chaos-gate cleanup failed; chaos may still be active: ${h(s)}
`),d.CleanupFailed}}async function U(t){let{runDemo:e}=await import("./chunks/run-REIZEZI2.js"),i=new AbortController,r=()=>i.abort("SIGINT");process.on("SIGINT",r),process.on("SIGTERM",r);try{return await e({out:t.out,err:t.err,cwd:t.cwd,signal:i.signal,...t.env.CHAOS_GATE_DEMO_PROMETHEUS==="simulated"?{simulatedPrometheus:!0}:{}})}finally{process.off("SIGINT",r),process.off("SIGTERM",r)}}async function D(t,e,i,r){let{executeRun:o,exitCodeOf:p}=await import("./chunks/pipeline-G4ZTJIJD.js"),{renderRunText:s}=await import("./chunks/run-summary-OPTABML5.js"),m=new AbortController,f=a=>{m.signal.aborted||r.err.write(`chaos-gate: ${a}: stopping every experiment and cleaning up
`),m.abort(a)},w=()=>f("SIGINT"),n=()=>f("SIGTERM");process.on("SIGINT",w),process.on("SIGTERM",n);try{i.info(S(I(t,e.timeoutMs)));let a=await o(t,e,{log:i,env:r.env,mask:()=>{},saveState:()=>{},signal:m.signal,cwd:r.cwd});i.info(s(a));let{writeReportFiles:c}=await import("./chunks/files-RZLKP5BK.js"),u=await c(t,a,e,r.cwd,i);u.json&&i.info(`JSON report: ${u.json}`),u.junit&&i.info(`JUnit report: ${u.junit}`);let l=p(a,e.failOn);return l===d.CleanupFailed&&r.err.write(`chaos-gate: cleanup failed; chaos may still be active. The ledger is ${a.ledgerPath}.
`),l}finally{process.off("SIGINT",w),process.off("SIGTERM",n)}}var T=process.argv[1]??"";(/(^|[\\/])cli\.(js|ts|mjs)$/.test(T)||T.endsWith("/chaos-gate"))&&(process.exitCode=await R(process.argv.slice(2),{out:process.stdout,err:process.stderr,env:process.env,cwd:process.cwd()}));export{R as main};
