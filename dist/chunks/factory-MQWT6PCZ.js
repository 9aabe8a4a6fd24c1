import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{e as a}from"./chunk-XUAR2U63.js";import"./chunk-HTCTULOY.js";import"./chunk-VQX4VWMM.js";import"./chunk-GDHD3JW6.js";import"./chunk-BK6GETLH.js";import"./chunk-55LRNAWX.js";import"./chunk-EENAB5Q6.js";import"./chunk-DAKDPSFQ.js";export{a as providerSet};
