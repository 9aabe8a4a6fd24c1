import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b,c,d}from"./chunk-DVTF2U4U.js";import"./chunk-J4BI6WPT.js";import"./chunk-EENAB5Q6.js";import"./chunk-Z247ZGQD.js";import"./chunk-RCG4VTMS.js";export{a as renderGatesMarkdown,b as renderPreflightMarkdown,c as renderRunMarkdown,d as renderRunText};
