// Preloaded (NODE_OPTIONS=--require) into Node servers that listen on a fixed port, such as
// FunctionGraph custom images on 8000: a listen on FAASPORT_FIXED_PORT is moved to $PORT, so several
// instances of the same code can run side by side on one machine.
'use strict';
const net = require('node:net');

const fixed = Number(process.env.FAASPORT_FIXED_PORT);
const target = Number(process.env.PORT);
const listen = net.Server.prototype.listen;

net.Server.prototype.listen = function remappedListen(...args) {
  if (fixed && target) {
    if (Number(args[0]) === fixed && (typeof args[0] === 'number' || typeof args[0] === 'string'))
      args[0] = target;
    else if (args[0] && typeof args[0] === 'object' && Number(args[0].port) === fixed)
      args[0] = { ...args[0], port: target };
  }
  return listen.apply(this, args);
};
