// The coffee function from Alibaba Cloud's "Knative on Function Compute" guide, in FC 2.0's own
// Node.js HTTP contract: handler(request, response, context). It is deployed as-is (contract: native).
var version = process.env.VERSION || 'coffee-default';

module.exports.handler = (request, response, context) => {
  var respBody = Buffer.from('Hello ' + version + '\n');
  response.setStatusCode(200);
  response.setHeader('content-type', 'text/plain');
  response.send(respBody);
};
