import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c,d}from"./chunk-CCJAZJG4.js";import"./chunk-MP6PCTES.js";import"./chunk-BK6GETLH.js";import"./chunk-GJ6UWFWC.js";import"./chunk-RCG4VTMS.js";export{a as KubeApiError,c as classifyKubeError,d as createKubeApi,b as toKubeApiError};
