/**
 * A thin network layer over the kernels of {@code dev.myelin.core}: it owns parameters and buffers, and every
 * floating-point operation of a forward or backward pass goes through {@link dev.myelin.core.DenseOps} (loss
 * values through {@link dev.myelin.core.Losses}); only the optimizers' element-wise updates ({@code UpdateRules})
 * are loops here.
 *
 * <ul>
 *   <li>Model: {@link dev.myelin.nn.Dense} (one layer's parameters and gradients), {@link dev.myelin.nn.Mlp}.</li>
 *   <li>Training: {@link dev.myelin.nn.Trainer} (batches, forward, fused output head, backward) with its
 *       reusable {@code ForwardBackward}, {@link dev.myelin.nn.TrainingConfig},
 *       {@link dev.myelin.nn.Loss}, {@link dev.myelin.nn.GradientConvention}; stopping, resuming and divergence:
 *       {@link dev.myelin.nn.TrainingControl}, {@link dev.myelin.nn.TrainingCheckpoint},
 *       {@link dev.myelin.nn.EpochListener}, {@link dev.myelin.nn.TrainingDivergedException}.</li>
 *   <li>Optimization: {@link dev.myelin.nn.OptimizerSpec} (rule, hyper-parameters, checked once) with its
 *       {@link dev.myelin.nn.LrSchedule}; {@link dev.myelin.nn.Optimizer} (state and step) over the loops of
 *       {@code UpdateRules}; {@link dev.myelin.nn.OptimizerState} (checkpointable state).</li>
 *   <li>Initialisation: {@link dev.myelin.nn.Init} over {@link dev.myelin.nn.NumpyRandom}, numpy's legacy
 *       generator, so that a seed reproduces the document's {@code np.random.rand} start.</li>
 *   <li>Files: {@link dev.myelin.nn.CsvData} (numeric CSV data, read from bytes by {@code CsvScanner} and
 *       {@code DecimalParser}; {@link dev.myelin.nn.Header} says whether the first row is a header),
 *       {@link dev.myelin.nn.IdxData} (MNIST-style IDX images and labels, raw or gzip),
 *       {@link dev.myelin.nn.ModelFile} (JSON models), {@link dev.myelin.nn.CheckpointFile} (whole training
 *       states).</li>
 *   <li>Data preparation: {@link dev.myelin.nn.InputScaling} (per-feature standardisation fitted on the training
 *       set).</li>
 * </ul>
 */
package dev.myelin.nn;
