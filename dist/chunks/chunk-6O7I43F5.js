import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
var e={timeoutMs:6e5,weight:1,probeIntervalMs:1e4,probeSuccessRate:100,recoveryTimeoutMs:3e5,httpTimeoutMs:5e3,maxParallel:1,scorePass:90,scoreWarn:75};export{e as a};
