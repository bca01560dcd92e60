// Required once by a pre-started worker so the CommonJS loader's file path is warm before a cold start.
module.exports = true;
