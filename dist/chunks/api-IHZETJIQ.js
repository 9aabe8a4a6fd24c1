import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c}from"./chunk-XKINNJFJ.js";import"./chunk-MP6PCTES.js";import"./chunk-BK6GETLH.js";import"./chunk-MG5YG6SK.js";import"./chunk-VBGGSF4H.js";import"./chunk-RCG4VTMS.js";export{a as KubeApiError,b as classifyKubeError,c as createKubeApi};
