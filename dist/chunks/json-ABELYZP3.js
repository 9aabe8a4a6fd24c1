import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c}from"./chunk-2QWTLTMN.js";import"./chunk-CHU4RFNU.js";import"./chunk-RCG4VTMS.js";export{a as REPORT_VERSION,b as budgetConsumed,c as buildJsonReport};
