import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c,d}from"./chunk-BOJGPDSF.js";import"./chunk-MP6PCTES.js";import"./chunk-BK6GETLH.js";import"./chunk-MG5YG6SK.js";import"./chunk-VBGGSF4H.js";import"./chunk-RCG4VTMS.js";export{a as KubeApiError,c as classifyKubeError,d as createKubeApi,b as kubeApiErrorOf};
