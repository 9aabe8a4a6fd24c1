import { ConfigurationError } from '../src/errors.js';
import { selectExperiments } from '../src/suite/select.js';

const all = [
  { name: 'pod-delete', tags: ['smoke'] },
  { name: 'net-delay', tags: ['network'] },
  { name: 'cart-kill', tags: ['smoke', 'cart'] },
  { name: 'az-outage', tags: [] },
];

describe('experiment selection', () => {
  test.each([
    ['', ['pod-delete', 'net-delay', 'cart-kill', 'az-outage']],
    ['  ', ['pod-delete', 'net-delay', 'cart-kill', 'az-outage']],
    ['az-outage, pod-delete', ['pod-delete', 'az-outage']],
    ['tag:smoke', ['pod-delete', 'cart-kill']],
    ['tag:cart,net-delay', ['net-delay', 'cart-kill']],
    ['cart-kill,tag:smoke', ['pod-delete', 'cart-kill']],
    ['pod-delete\nnet-delay', ['pod-delete', 'net-delay']],
  ])('%j selects %j in suite order', (selection, names) => {
    expect(selectExperiments(all, selection).map((e) => e.name)).toEqual(names);
  });

  test.each([
    ['pod-delet', 'no experiment is named `pod-delet`: did you mean `pod-delete`?'],
    ['tag:smok', '`tag:smok` selects no experiment: did you mean `smoke`?'],
    ['tag:zzz', '`tag:zzz` selects no experiment (tags in the suite: smoke, network, cart)'],
  ])('%j is refused', (selection, message) => {
    expect(() => selectExperiments(all, selection)).toThrow(ConfigurationError);
    expect(() => selectExperiments(all, selection)).toThrow(message);
  });
});
