import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{b as a,c as b,d as c,e as d}from"./chunk-6G2WT4YC.js";import"./chunk-BK6GETLH.js";import"./chunk-GJ6UWFWC.js";import"./chunk-RCG4VTMS.js";export{a as KubeApiError,c as classifyKubeError,d as createKubeApi,b as toKubeApiError};
