// OpenConductor webhook media type for Zabbix 6.0 and later (Duktape, ES5).
// Posts the event's macros, given as the media type's parameters, as one JSON object to
// <openconductor_url>/api/v1/integrations/zabbix, with the token in an Authorization header.
var OpenConductor = {
    endpoint: '/api/v1/integrations/zabbix',

    // A macro Zabbix could not expand arrives as its own name, e.g. "{EVENT.RECOVERY.DATE}" in a
    // problem message: such a value, like an empty one, is not sent at all.
    isSet: function (value) {
        return typeof value === 'string' && value !== '' && !/^\{[A-Z0-9_.$:"]+\}$/.test(value);
    },

    text: function (params, name) {
        return OpenConductor.isSet(params[name]) ? params[name] : undefined;
    },

    number: function (params, name) {
        var value = OpenConductor.text(params, name);

        return (value !== undefined && /^-?[0-9]+$/.test(value)) ? parseInt(value, 10) : undefined;
    },

    tags: function (params) {
        var value = OpenConductor.text(params, 'event_tags_json');

        if (value === undefined) {
            return [];
        }
        try {
            var tags = JSON.parse(value);

            return (tags instanceof Array) ? tags : [];
        }
        catch (error) {
            Zabbix.log(4, '[OpenConductor webhook] event_tags_json is not JSON: ' + value);
            return [];
        }
    },

    url: function (base) {
        base = base.replace(/\/+$/, '');

        return (base.slice(-OpenConductor.endpoint.length) === OpenConductor.endpoint)
            ? base : base + OpenConductor.endpoint;
    },

    body: function (params) {
        var body = {},
            texts = [
                'event_id', 'event_name', 'event_severity', 'event_status', 'event_update_action',
                'event_ack_status', 'event_date', 'event_time', 'event_recovery_id', 'event_recovery_date',
                'event_recovery_time', 'event_opdata', 'host_name', 'host_host', 'host_ip', 'trigger_id',
                'trigger_description', 'zabbix_url', 'alert_subject', 'alert_message'
            ],
            numbers = [
                'event_nseverity', 'event_value', 'event_source', 'event_update_status', 'event_timestamp',
                'event_recovery_timestamp'
            ],
            i;

        for (i = 0; i < texts.length; i++) {
            if (OpenConductor.text(params, texts[i]) !== undefined) {
                body[texts[i]] = params[texts[i]];
            }
        }
        for (i = 0; i < numbers.length; i++) {
            if (OpenConductor.number(params, numbers[i]) !== undefined) {
                body[numbers[i]] = OpenConductor.number(params, numbers[i]);
            }
        }
        body.event_tags = OpenConductor.tags(params);

        return body;
    }
};

try {
    var params = JSON.parse(value),
        request = new HttpRequest(),
        response,
        status;

    // The export ships "<put your ...>" in these two: a value still like that was never filled in.
    if (!OpenConductor.isSet(params.openconductor_url) || /^<.*>$/.test(params.openconductor_url)) {
        throw 'the parameter "openconductor_url" is not set (for example http://openconductor:8080).';
    }
    if (!OpenConductor.isSet(params.openconductor_token) || /^<.*>$/.test(params.openconductor_token)) {
        throw 'the parameter "openconductor_token" is not set (openconductor integrations token create zabbix).';
    }
    if (OpenConductor.number(params, 'event_id') === undefined) {
        throw 'the parameter "event_id" must be {EVENT.ID}, got "' + params.event_id + '".';
    }

    request.addHeader('Content-Type: application/json');
    request.addHeader('Authorization: Bearer ' + params.openconductor_token);
    if (OpenConductor.isSet(params.HTTPProxy)) {
        request.setProxy(params.HTTPProxy);
    }

    response = request.post(OpenConductor.url(params.openconductor_url),
        JSON.stringify(OpenConductor.body(params)));
    status = request.getStatus();
    Zabbix.log(4, '[OpenConductor webhook] answered ' + status + ': ' + response);

    if (status < 200 || status >= 300) {
        throw 'OpenConductor answered ' + status + ': ' + response;
    }

    return 'OK';
}
catch (error) {
    Zabbix.log(3, '[OpenConductor webhook] notification failed: ' + error);
    throw 'Sending to OpenConductor failed: ' + error;
}
