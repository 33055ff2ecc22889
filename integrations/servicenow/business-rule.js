/* global gs, GlideDateTime, CertificateEncryption, sn_ws, current -- ServiceNow server-side globals */
/**
 * Business Rule "Interconnect: send ticket event"
 *   Table: change_request (a second copy on sc_req_item, with the same script)
 *   When: async   Insert: no   Update: yes
 *   Condition (condition builder): State changes AND Short description/Category as your process needs,
 *   e.g. "State changes to Assess OR State changes to Implement" plus the decommission state you use.
 *   Async rules have no `previous`; the condition builder's "changes" runs before the rule is queued.
 *
 * Sends the signed event of README "From a ticket" to POST /api/itsm/servicenow/events:
 *   x-itsm-timestamp: <Unix seconds>
 *   x-itsm-signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">
 * CertificateEncryption.generateMac returns Base64 (and wants a Base64 key), so the MAC is re-encoded as hex.
 *
 * System properties (create them in the scope of this rule):
 *   x_icx_bridge.endpoint      https://<function app>.azurewebsites.net/api/itsm/servicenow/events?code=<function key>
 *   x_icx_bridge.hmac_secret   the same value as the app setting SERVICENOW_WEBHOOK_SECRET (type password2)
 *   x_icx_bridge.action_map    JSON: which state value asks for which action,
 *                              e.g. {"-4":"plan","-1":"provision","-2":"decommission"} (see README.md here)
 */
(function executeRule(current) {
  var actions = JSON.parse(gs.getProperty('x_icx_bridge.action_map', '{}'));
  var action = actions[current.getValue('state')];
  // A decommission change carries u_interconnect_action = decommission (catalog variable "interconnect_action").
  if (current.variables && current.variables.interconnect_action) action = String(current.variables.interconnect_action) || action;
  if (!action) return;

  var NAMES = ['interconnect_name', 'bandwidth_gbps', 'azure_subscription_id', 'azure_resource_group', 'azure_location',
    'er_peering_location', 'er_sku_tier', 'er_sku_family', 'azure_vnet_name', 'gateway_subnet_prefix', 'gateway_sku', 'fastpath',
    'gateway_scale_units', 'oci_region', 'oci_compartment_ocid', 'oci_vcn_ocid', 'oci_drg_ocid', 'bgp_primary_cidr',
    'bgp_secondary_cidr', 'keep_resources_on_failure', 'cost_center'];
  var variables = {};
  for (var i = 0; i < NAMES.length; i++) {
    var v = current.variables[NAMES[i]];
    if (v !== undefined && v !== null && String(v) !== '') variables[NAMES[i]] = String(v);
  }
  var requester = current.requested_by || current.opened_by;
  var body = JSON.stringify({
    table: current.getTableName(),
    sys_id: current.getUniqueValue(),
    number: current.getValue('number'),
    state: current.getValue('state'),
    action: action,
    requested_by: String(requester.email || requester.user_name || current.getValue('sys_updated_by')),
    variables: variables
  });

  var ts = String(Math.floor(new GlideDateTime().getNumericValue() / 1000));
  var secret = gs.getProperty('x_icx_bridge.hmac_secret');
  var macBase64 = new CertificateEncryption().generateMac(gs.base64Encode(secret), 'HmacSHA256', ts + '.' + body);

  var rm = new sn_ws.RESTMessageV2();
  rm.setEndpoint(gs.getProperty('x_icx_bridge.endpoint'));
  rm.setHttpMethod('post');
  rm.setRequestHeader('Content-Type', 'application/json');
  rm.setRequestHeader('x-itsm-timestamp', ts);
  rm.setRequestHeader('x-itsm-signature', 'sha256=' + base64ToHex(macBase64));
  rm.setRequestBody(body);
  rm.setHttpTimeout(10000);
  try {
    var res = rm.execute();
    // 200/202: accepted (the notes follow in the work notes); 4xx: the service also writes why into the work notes.
    if (res.getStatusCode() >= 500 || res.getStatusCode() === 401 || res.getStatusCode() === 404) {
      gs.error('Interconnect event for ' + current.getValue('number') + ' answered ' + res.getStatusCode());
    }
  } catch (e) {
    gs.error('Interconnect event for ' + current.getValue('number') + ' failed: ' + e);
  }

  function base64ToHex(b64) {
    var alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    var bits = 0, value = 0, hex = '';
    for (var k = 0; k < b64.length; k++) {
      var idx = alphabet.indexOf(b64.charAt(k));
      if (idx < 0) continue;
      value = (value << 6) | idx;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        var byte = (value >> bits) & 0xff;
        hex += (byte < 16 ? '0' : '') + byte.toString(16);
      }
    }
    return hex;
  }
})(current);
