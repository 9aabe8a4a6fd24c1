import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{f as a}from"./chunk-O4Z74ZE4.js";import"./chunk-YDP5JYS5.js";import"./chunk-UP7KQ6VG.js";import"./chunk-6G2WT4YC.js";import"./chunk-BK6GETLH.js";import"./chunk-PFT7X2IW.js";import"./chunk-GJ6UWFWC.js";import"./chunk-EENAB5Q6.js";import"./chunk-RCG4VTMS.js";export{a as providerSet};
