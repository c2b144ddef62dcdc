// The harness for real services: integration, e2e and bench code import from here.
export { freePort } from './ports.js';
export { startMosquitto, type MosquittoHandle, type MosquittoOptions } from './mosquitto.js';
export { startInfluxd, type InfluxdHandle } from './influxd.js';
