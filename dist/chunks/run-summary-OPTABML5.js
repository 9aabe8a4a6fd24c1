import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b}from"./chunk-PR5BDGRY.js";import"./chunk-J4BI6WPT.js";import"./chunk-RCG4VTMS.js";export{a as renderPreflightMarkdown,b as renderRunText};
