import { createRequire as __cgRequire } from 'node:module'; const require = __cgRequire(import.meta.url);
import{a,b}from"./chunk-FZ4MUW4N.js";import"./chunk-B376LS3C.js";import"./chunk-PFT7X2IW.js";import"./chunk-55LRNAWX.js";import"./chunk-EENAB5Q6.js";import"./chunk-DAKDPSFQ.js";export{a as KubeAccessError,b as loadKubeConfig};
