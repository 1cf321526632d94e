// k6 provides `console` as a global (https://grafana.com/docs/k6/latest/javascript-api/#console), but @types/k6
// does not declare it and the browser `dom` lib would bring in browser globals k6 does not have.
declare var console: {
    log(...data: unknown[]): void;
    info(...data: unknown[]): void;
    warn(...data: unknown[]): void;
    error(...data: unknown[]): void;
    debug(...data: unknown[]): void;
};
