

module t_leds(clock,reset,busy,activity,error,heartbeat,busy_led,error_led);
    
    // Module arguments
    input wire  clock;
    input wire  reset;
    input wire  busy;
    input wire  activity;
    input wire  error;
    output reg  heartbeat;
    output reg  busy_led;
    output reg  error_led;
    
    // Constant declarations
    localparam  tick_len = 24'h14;
    
    // Stub signals
    reg  [23:0] prescale$d;
    wire  [23:0] prescale$q;
    reg  prescale$clock;
    reg  [4:0] ticks$d;
    wire  [4:0] ticks$q;
    reg  ticks$clock;
    reg  [1:0] busy_hold$d;
    wire  [1:0] busy_hold$q;
    reg  busy_hold$clock;
    reg  [1:0] error_hold$d;
    wire  [1:0] error_hold$q;
    reg  error_hold$clock;
    
    // Local signals
    reg  tick;
    
    // Sub module instances
    t_leds$prescale prescale(
        .d(prescale$d),
        .q(prescale$q),
        .clock(prescale$clock)
    );
    t_leds$ticks ticks(
        .d(ticks$d),
        .q(ticks$q),
        .clock(ticks$clock)
    );
    t_leds$busy_hold busy_hold(
        .d(busy_hold$d),
        .q(busy_hold$q),
        .clock(busy_hold$clock)
    );
    t_leds$error_hold error_hold(
        .d(error_hold$d),
        .q(error_hold$q),
        .clock(error_hold$clock)
    );
    
    // Update code
    always @(*) begin
        prescale$clock = clock;
        ticks$clock = clock;
        busy_hold$clock = clock;
        error_hold$clock = clock;
        prescale$d = prescale$q;
        ticks$d = ticks$q;
        busy_hold$d = busy_hold$q;
        error_hold$d = error_hold$q;
        tick = prescale$q == tick_len;
        prescale$d = prescale$q + 32'h1;
        if (tick) begin
            prescale$d = 32'h0;
            ticks$d = ticks$q + 32'h1;
            if (ticks$q == 32'h13) begin
                ticks$d = 32'h0;
            end
            if (busy_hold$q != 32'h0) begin
                busy_hold$d = busy_hold$q - 32'h1;
            end
            if (error_hold$q != 32'h0) begin
                error_hold$d = error_hold$q - 32'h1;
            end
        end
        if (busy | activity) begin
            busy_hold$d = 32'h2;
        end
        if (error) begin
            error_hold$d = 32'h2;
        end
        heartbeat = ticks$q < 32'ha;
        busy_led = busy_hold$q != 32'h0;
        error_led = error_hold$q != 32'h0;
        if (reset) begin
            busy_hold$d = 32'h0;
            error_hold$d = 32'h0;
        end
    end
    
endmodule // t_leds


module t_leds$busy_hold(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 2'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_leds$busy_hold


module t_leds$error_hold(d,q,clock);
    
    // Module arguments
    input wire  [1:0] d;
    output reg  [1:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 2'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_leds$error_hold


module t_leds$prescale(d,q,clock);
    
    // Module arguments
    input wire  [23:0] d;
    output reg  [23:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 24'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_leds$prescale


module t_leds$ticks(d,q,clock);
    
    // Module arguments
    input wire  [4:0] d;
    output reg  [4:0] q;
    input wire  clock;
    
    // Update code (custom)
    initial begin
       q = 5'h0;
    end
    
    always @(posedge clock) begin
       q <= d;
    end
          
endmodule // t_leds$ticks
