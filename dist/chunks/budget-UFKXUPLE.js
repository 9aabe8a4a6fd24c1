import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c,d,e,f}from"./chunk-Z247ZGQD.js";import"./chunk-RCG4VTMS.js";export{c as allowedErrorRatio,f as burnRate,e as consumedBudget,b as formatFigure,d as remainingBudget,a as tidy};
