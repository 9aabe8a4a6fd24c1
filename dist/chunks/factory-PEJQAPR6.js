import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{g as a}from"./chunk-VLVTJC2W.js";import"./chunk-YDP5JYS5.js";import"./chunk-UP7KQ6VG.js";import"./chunk-QYXNA5HX.js";import"./chunk-BK6GETLH.js";import"./chunk-EENAB5Q6.js";import"./chunk-NQDSAXKW.js";import"./chunk-GJ6UWFWC.js";import"./chunk-RCG4VTMS.js";export{a as providerSet};
