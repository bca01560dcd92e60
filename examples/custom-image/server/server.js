// The Express server from Huawei Cloud FunctionGraph's "deploying a function from a container image"
// guide: an event function's HTTP server on port 8000, with POST /init (once per instance) and
// POST /invoke (each call). faasport runs it as a custom command; no image build is needed locally.
const express = require('express');
const app = express();
const PORT = 8000;

app.post('/init', (_req, res) => {
  res.send('Hello init\n');
});

app.post('/invoke', (_req, res) => {
  res.send('Hello invoke\n');
});

app.listen(PORT, () => {
  console.log(`Listening on http://localhost:${PORT}`);
});
