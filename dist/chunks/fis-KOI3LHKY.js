import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a}from"./chunk-HLVKBJTV.js";import{a as b}from"./chunk-GVKUTRAD.js";import"./chunk-RCG4VTMS.js";export{b as TERMINAL,a as createFisApi};
