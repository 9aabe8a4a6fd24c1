import nock from 'nock';

// Tests never reach out: every server a test needs runs on 127.0.0.1.
nock.disableNetConnect();
nock.enableNetConnect('127.0.0.1');
