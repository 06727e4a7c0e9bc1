// Runs a Zabbix webhook script under node, for trying it out and for OpenConductor's tests:
//   node node_shim.js openconductor.js params.json     (params.json: the media type's parameters, as Zabbix sends them)
// Zabbix runs the script as the body of a function of `value` in Duktape, where HttpRequest.post blocks
// until the answer; here the request runs in a child node process (`node node_shim.js post <url> <headers>`)
// so that post() blocks the same way. Prints {"result": ...} or {"error": ...}.
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const { execFileSync } = require('child_process');

function post(url, headers) {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => {
        const target = new URL(url);
        const options = { method: 'POST', headers: {} };
        headers.forEach((line) => {
            const at = line.indexOf(':');
            options.headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
        });
        const request = (target.protocol === 'https:' ? https : http).request(target, options, (response) => {
            let body = '';
            response.on('data', (chunk) => { body += chunk; });
            response.on('end', () => process.stdout.write(JSON.stringify({ status: response.statusCode, body: body })));
        });
        request.on('error', (error) => process.stdout.write(JSON.stringify({ status: 0, body: String(error) })));
        request.end(Buffer.concat(chunks));
    });
}

function HttpRequest() { this.headers = []; this.status = 0; }
HttpRequest.prototype.addHeader = function (header) { this.headers.push(header); };
HttpRequest.prototype.setProxy = function (proxy) { this.proxy = proxy; };
HttpRequest.prototype.getStatus = function () { return this.status; };
HttpRequest.prototype.post = function (url, data) {
    const out = execFileSync(process.execPath, [__filename, 'post', url, JSON.stringify(this.headers)], { input: data });
    const answer = JSON.parse(out.toString());
    this.status = answer.status;
    return answer.body;
};

const Zabbix = {
    log: function (level, message) { process.stderr.write('[' + level + '] ' + message + '\n'); },
};

if (process.argv[2] === 'post') {
    post(process.argv[3], JSON.parse(process.argv[4]));
} else {
    const script = fs.readFileSync(process.argv[2], 'utf8');
    const value = fs.readFileSync(process.argv[3], 'utf8');
    try {
        const result = new Function('value', 'HttpRequest', 'Zabbix', script)(value, HttpRequest, Zabbix);
        process.stdout.write(JSON.stringify({ result: result }));
    } catch (error) {
        process.stdout.write(JSON.stringify({ error: String(error) }));
    }
}
