import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c,d}from"./chunk-GDHD3JW6.js";import"./chunk-BK6GETLH.js";import"./chunk-55LRNAWX.js";import"./chunk-DAKDPSFQ.js";export{a as KubeApiError,c as classifyKubeError,d as createKubeApi,b as toKubeApiError};
